use Extra;
print Extra::hi(), " ", $INC[0], " W=$^W\n";
my $u; my $v = "$u";
