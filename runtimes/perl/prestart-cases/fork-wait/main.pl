$| = 1;
my $pid = fork() // die;
if ($pid == 0) { print "child\n"; exit 5 }
waitpid($pid, 0);
print "parent saw ", $? >> 8, "\n";
my $out = qx{echo from shell};
print $out, "pipe open: ";
open(my $p, '-|', 'printf', '%s', 'listed') or die; print <$p>, "\n";
