use strict;
use warnings;
print "before\n";
sub inner { die "boom" }
inner();
