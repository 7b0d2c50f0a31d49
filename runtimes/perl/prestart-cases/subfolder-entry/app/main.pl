use FindBin;
use Cwd;
print "$0 $FindBin::Bin $FindBin::Script ", getcwd(), "\n";
require "./app/util.pl";
print util(), "\n";
