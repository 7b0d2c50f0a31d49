# The pre-started node's launcher (README.md beside this file): run by the agent as the runner, in the work dir,
# with the agent's hand-over socket on fd 3. Before node starts it moves that socket to fd 99 and leaves the work
# dir, so that node's start-up takes the very fds a plain start takes (3, 4, ...) and caches no look-up of a
# package.json in the work dir (the program's files arrive there later); the preload goes back there.
# Perl, not a shell: dash cannot name fd 99, and bash would add SHLVL, PWD and _ to node's environment.
use strict;
use Fcntl qw(F_DUPFD);

my $lib = '/usr/local/lib/coderunner';
my $work = readlink('/proc/self/cwd') // die "node-prestart: no work dir: $!\n";
open(my $sock, '+<&=', 3) or die "node-prestart: no hand-over socket on fd 3: $!\n";
my $moved = fcntl($sock, F_DUPFD, 99) // die "node-prestart: moving fd 3: $!\n";
$moved == 99 or die "node-prestart: fd 99 is taken\n";
close($sock);
chdir($lib) or die "node-prestart: chdir $lib: $!\n";
exec { 'node' } 'node', '-r', "$lib/node-prestart.cjs", "$lib/node-prestart-main.cjs", $work
  or die "node-prestart: exec node: $!\n";
