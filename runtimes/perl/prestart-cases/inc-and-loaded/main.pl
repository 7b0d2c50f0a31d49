BEGIN { print join(",", sort keys %INC), "\n"; }
print join("\n", @INC), "\n";
use strict;
print join(",", sort keys %INC), "\n";
print defined(&warnings::enabled) ? "warnings loaded\n" : "no warnings\n";
print scalar(grep { /::$/ } keys %main::), "\n";
