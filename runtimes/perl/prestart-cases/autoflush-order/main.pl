$| = 1;
print "out 1\n";
print STDERR "err 1\n";
print "out 2\n";
die "died\n";
