use strict;
use warnings;
use Carp qw(carp croak);
local $SIG{__WARN__} = sub { print "handled: $_[0]" };
warn "plain warning";
sub f { carp "carped" }
f();
my %h = (a => 1);
my $n = "abc" + 1;
sub g { croak "croaked" }
g();
