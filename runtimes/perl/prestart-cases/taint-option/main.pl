use Scalar::Util qw(tainted);
print "taint=${^TAINT} X=", (tainted($^X) ? 1 : 0), " ARGV=", (tainted($ARGV[0]) ? 1 : 0), " PATH=", (tainted($ENV{PATH}) ? 1 : 0), "\n";
print join(",", grep { $_ eq "." } @INC), "|\n";
