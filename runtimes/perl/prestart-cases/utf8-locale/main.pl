use utf8;
use POSIX qw(setlocale LC_ALL LC_CTYPE);
print setlocale(LC_CTYPE), " ", (${^UTF8LOCALE} ? "utf8locale" : "not utf8"), "\n";
my $s = "héllo wörld";
print length($s), "\n";
binmode STDOUT, ':encoding(UTF-8)';
print uc($s), "\n";
printf "%.2f\n", 3.14159;
