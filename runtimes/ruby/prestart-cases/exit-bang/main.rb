at_exit { puts "not run" }
print "before"
$stdout.flush
exit! 3
