for my $i (1 .. 15000) { print "line $i ", "x" x 50, "\n"; print STDERR "e$i\n" if $i % 5000 == 0 }
