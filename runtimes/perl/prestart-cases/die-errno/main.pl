open(my $fh, '<', 'nope.txt') or die "cannot open: $!\n";
