package Err; use overload '""' => sub { "Err(" . $_[0]{msg} . ")\n" };
package main;
END { print "end sees \$?=$?\n" }
eval { die { code => 1 } }; print ref($@), "\n";
die bless { msg => "custom" }, 'Err';
