my $n = 0;
while (my $line = <STDIN>) { $n++; chomp $line; print "$n: [$line]\n" }
print "eof ", (eof(STDIN) ? 1 : 0), " after $n\n";
