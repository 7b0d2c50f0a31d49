my @a = (1);
my $s = $a[3] + 1;
print "$s $^W\n";
