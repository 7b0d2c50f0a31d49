package My::Greet;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = ('greet');
sub greet { return "hello, $_[0] from " . __FILE__ }
1;
