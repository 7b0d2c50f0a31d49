use strict;
use warnings;

sub divide { my ($a, $b) = @_; return $a / $b; }

print "before\n";
print divide(1, 0), "\n";
