print "$^X\n";
my $out = `$^X -e 'print qq(child \$^X)'`;
print "$out\n";
system($^X, '-le', 'print "exit 3"; exit 3');
print "status ", $? >> 8, "\n";
