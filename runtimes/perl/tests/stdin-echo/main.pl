use strict;
use warnings;

while (my $line = <STDIN>) {
    chomp $line;
    print "$line\n";
}
