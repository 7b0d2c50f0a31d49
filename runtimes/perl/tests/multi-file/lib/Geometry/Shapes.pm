package Geometry::Shapes;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = ('area');

sub area {
    my ($w, $h) = @_;
    return $w * $h;
}

1;
