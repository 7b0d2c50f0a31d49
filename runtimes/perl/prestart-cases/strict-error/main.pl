use strict;
BEGIN { print "begin ran\n" }
$undeclared = 1;
