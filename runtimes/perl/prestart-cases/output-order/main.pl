print "out 1\n";
print STDERR "err 1\n";
print "out 2\n";
warn "warned\n";
printf STDOUT "%s\n", "out 3";
syswrite STDOUT, "raw\n";
print STDERR "err 2\n";
