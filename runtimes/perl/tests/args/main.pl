use strict;
use warnings;

print join(" ", scalar(@ARGV), @ARGV), "\n";
