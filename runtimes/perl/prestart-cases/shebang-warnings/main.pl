#!/usr/bin/perl -w
my $x;
print "value: " . $x . "\n";
print "dowarn=$^W\n";
