use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Geometry::Shapes qw(area);

print area(3, 4), "\n";
