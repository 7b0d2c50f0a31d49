if (x = 1)
  p x
end
warn "plain warn"
warn "with uplevel", uplevel: 0
p $VERBOSE, Warning[:deprecated], Warning[:experimental], Warning[:performance]
def m = lambda(&proc {})
Warning.warn("direct\n")
$VERBOSE = true
warn "verbose now"
