# Checks the pre-started Rscript against a plain start, case by case (README.md beside this file). Runs with the
# perl-base that the r image has (no modules beyond it: JSON and timing are done here by hand):
#   perl harness.pl [--work DIR] [--bench N] [--launcher PATH] CASE_DIR_OR_FOLDER_OF_THEM...
# (a folder of ../tests/, with expected.json instead of case.json, is taken as a case too).
# For each case folder (program files plus case.json) it runs the plain `Rscript ENTRY ARGS...` in a fresh copy
# of the files in the work dir (default /work, which must be writable and is emptied), then does what the agent
# does with the launcher: starts it in the emptied work dir with a unix socket on fd 3 (nothing else open), waits
# for 'R', writes the files, sends the argv as NUL-terminated strings, closes its end and feeds stdin. stdout,
# stderr, exit code and signal must be the same bytes; case.json's expectations (what a plain start prints) are
# checked against the plain run. A case.json "knownDifference" (a reason) marks a case whose two starts are known
# to differ (README.md).
# --bench N: runs each case N more times each way and prints the medians of hand-over (or spawn) to first output
# byte and to exit.
use strict;
use warnings;
use POSIX qw(:sys_wait_h dup2 _exit);
use Socket qw(AF_UNIX SOCK_STREAM PF_UNSPEC);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use Errno qw(EAGAIN EINTR EPIPE);

my $LAUNCHER = '/usr/local/lib/coderunner/r-prestart';
# The run's environment as the server gives it (server/src/runs/run-plan.ts BASE_ENV; runtime.json's env is empty).
my %ENV_RUN = (
    PATH   => '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME   => '/work',
    LANG   => 'C.UTF-8',
    TMPDIR => '/tmp',
);
$SIG{PIPE} = 'IGNORE';    # the harness's own writes; children get the default back

# ---- time: CLOCK_MONOTONIC through the raw syscall (perl-base has no Time::HiRes) ----
sub now_ms {
    my $buf = "\0" x 16;
    syscall(228, 1, $buf) == 0 or die "clock_gettime: $!";    # SYS_clock_gettime, CLOCK_MONOTONIC (x86-64)
    my ($s, $ns) = unpack('q q', $buf);
    return $s * 1000 + $ns / 1e6;
}

# ---- a small JSON reader: objects, arrays, strings (with \u escapes), numbers, true/false/null ----
sub json_parse {
    my ($text) = @_;
    my $pos = 0;
    my $value = _json_value(\$text, \$pos);
    _json_ws(\$text, \$pos);
    die "trailing bytes in JSON at $pos\n" if $pos < length $text;
    return $value;
}
sub _json_ws { my ($t, $p) = @_; $$p++ while $$p < length($$t) && substr($$t, $$p, 1) =~ /[ \t\r\n]/; }
sub _json_value {
    my ($t, $p) = @_;
    _json_ws($t, $p);
    my $c = substr($$t, $$p, 1);
    if ($c eq '{') {
        $$p++;
        my %o;
        _json_ws($t, $p);
        if (substr($$t, $$p, 1) eq '}') { $$p++; return \%o; }
        while (1) {
            _json_ws($t, $p);
            my $k = _json_value($t, $p);
            _json_ws($t, $p);
            die "':' expected at $$p\n" unless substr($$t, $$p++, 1) eq ':';
            $o{$k} = _json_value($t, $p);
            _json_ws($t, $p);
            my $d = substr($$t, $$p++, 1);
            return \%o if $d eq '}';
            die "',' expected at $$p\n" unless $d eq ',';
        }
    }
    if ($c eq '[') {
        $$p++;
        my @a;
        _json_ws($t, $p);
        if (substr($$t, $$p, 1) eq ']') { $$p++; return \@a; }
        while (1) {
            push @a, _json_value($t, $p);
            _json_ws($t, $p);
            my $d = substr($$t, $$p++, 1);
            return \@a if $d eq ']';
            die "',' expected at $$p\n" unless $d eq ',';
        }
    }
    if ($c eq '"') {
        $$p++;
        my $s = '';
        while (1) {
            my $ch = substr($$t, $$p++, 1);
            die "unterminated string\n" if $ch eq '';
            last if $ch eq '"';
            if ($ch eq '\\') {
                my $e = substr($$t, $$p++, 1);
                if ($e eq 'u') {
                    my $cp = hex(substr($$t, $$p, 4));
                    $$p += 4;
                    if ($cp >= 0xD800 && $cp < 0xDC00 && substr($$t, $$p, 2) eq '\\u') {
                        my $lo = hex(substr($$t, $$p + 2, 4));
                        $$p += 6;
                        $cp = 0x10000 + (($cp - 0xD800) << 10) + ($lo - 0xDC00);
                    }
                    $s .= chr($cp);
                } else {
                    $s .= {'"' => '"', '\\' => '\\', '/' => '/', b => "\b", f => "\f", n => "\n", r => "\r",
                           t => "\t"}->{$e} // die "bad escape \\$e\n";
                }
            } else {
                $s .= $ch;
            }
        }
        return $s;
    }
    if (substr($$t, $$p) =~ /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/) { $$p += length $1; return $1 + 0; }
    for my $lit (['true', 1], ['false', 0], ['null', undef]) {
        if (substr($$t, $$p, length $lit->[0]) eq $lit->[0]) { $$p += length $lit->[0]; return $lit->[1]; }
    }
    die "bad JSON at $$p\n";
}

# ---- files ----
sub slurp { my ($path) = @_; open(my $f, '<:raw', $path) or die "$path: $!"; local $/; my $d = <$f>; close $f; return $d // ''; }

sub empty_dir {
    my ($dir) = @_;
    mkdir $dir unless -d $dir;
    opendir(my $d, $dir) or die "$dir: $!";
    for my $n (grep { $_ ne '.' && $_ ne '..' } readdir $d) {
        my $p = "$dir/$n";
        if (-d $p && !-l $p) { empty_dir($p); rmdir $p or die "rmdir $p: $!"; }
        else { unlink $p or die "unlink $p: $!"; }
    }
    closedir $d;
}

sub copy_tree {
    my ($src, $dst, $top) = @_;
    opendir(my $d, $src) or die "$src: $!";
    for my $n (sort grep { $_ ne '.' && $_ ne '..' } readdir $d) {
        next if $top && ($n eq 'case.json' || $n eq 'expected.json');
        my ($s, $t) = ("$src/$n", "$dst/$n");
        if (-d $s) { mkdir $t or die "mkdir $t: $!"; copy_tree($s, $t, 0); next; }
        open(my $out, '>:raw', $t) or die "$t: $!";
        print $out slurp($s);
        close $out;
        chmod((stat $s)[2] & 0777, $t);
    }
    closedir $d;
}

sub case_dirs {
    my ($path) = @_;
    return ($path) if -e "$path/case.json" || -e "$path/expected.json";
    opendir(my $d, $path) or die "$path: $!";
    my @c = map { "$path/$_" } grep { -e "$path/$_/case.json" || -e "$path/$_/expected.json" } sort readdir $d;
    closedir $d;
    return @c;
}

# ---- one run ----
# Spawns $program with pipes as fds 0-2 (and $sock as fd 3), collects output and exit. $on_ready->() runs once
# the process may be given its program (at once for a plain start; after 'R' for the launcher) and returns the
# moment timing starts from.
sub run_once {
    my ($program, $argv, $c, $sock, $on_ready) = @_;
    pipe(my $in_r, my $in_w) or die "pipe: $!";
    pipe(my $out_r, my $out_w) or die "pipe: $!";
    pipe(my $err_r, my $err_w) or die "pipe: $!";
    my $spawned_at = now_ms();
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        # Every fd perl opened is close-on-exec ($^F is 2); dup2 clears the flag on the targets.
        my @from = (fileno $in_r, fileno $out_w, $c->{merge} ? fileno $out_w : fileno $err_w);
        push @from, fileno $sock if $sock;
        my @high = map { POSIX::dup($_) } @from;
        dup2($high[$_], $_) for 0 .. $#high;
        POSIX::close($_) for grep { $_ > $#high } @high;
        $SIG{$_} = 'DEFAULT' for qw(PIPE INT TERM CHLD);
        POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new());
        %ENV = %ENV_RUN;
        { no warnings 'exec'; exec { $program } @$argv; }
        _exit(127);
    }
    close $in_r; close $out_w; close $err_w;
    close $sock if $sock;
    my ($start, $note) = ($spawned_at, undef);
    my $ready = eval { $start = $on_ready->(); 1 };
    unless ($ready) { $note = $@; chomp $note; kill 'KILL', $pid; }
    my $deadline = now_ms() + $c->{timeout_ms};
    my %buf = (out => '', err => '');
    my $first;
    my $stdin = $c->{stdin};
    my %open = (out => $out_r, err => $err_r);
    my $win = $in_w;
    fcntl($win, F_SETFL, fcntl($win, F_GETFL, 0) | O_NONBLOCK);
    if (length $stdin == 0) { close $win; undef $win; }
    while (%open) {
        my ($rb, $wb) = ('', '');
        vec($rb, fileno $open{$_}, 1) = 1 for keys %open;
        vec($wb, fileno $win, 1) = 1 if $win;
        my $left = $deadline - now_ms();
        if ($left <= 0) { kill 'KILL', $pid; $note //= 'timeout'; $deadline = now_ms() + 5000; next; }
        my $n = select(my $ro = $rb, my $wo = $wb, undef, $left / 1000);
        next if $n < 0 && $! == EINTR;
        for my $k (keys %open) {
            next unless vec($ro, fileno $open{$k}, 1);
            my $got = sysread($open{$k}, my $chunk, 65536);
            if (!$got) { close $open{$k}; delete $open{$k}; next; }
            $first //= now_ms();
            $buf{$k} .= $chunk;
        }
        if ($win && vec($wo, fileno $win, 1)) {
            my $w = syswrite($win, $stdin);
            if (!defined $w) { if ($! != EAGAIN) { close $win; undef $win; } }    # EPIPE: not read
            else { substr($stdin, 0, $w) = ''; if (length $stdin == 0) { close $win; undef $win; } }
        }
    }
    close $win if $win;
    waitpid($pid, 0);
    my $st = $?;
    my $exited_at = now_ms();
    my $err = $buf{err} . (defined $note ? "\n[harness: $note]\n" : '');
    return {stdout => $buf{out}, stderr => $err, ready => $ready,
            code => WIFEXITED($st) ? WEXITSTATUS($st) : undef, signal => WIFSIGNALED($st) ? signame(WTERMSIG($st)) : undef,
            to_first => defined $first ? $first - $start : undef, to_exit => $exited_at - $start,
            to_ready => $start - $spawned_at};
}

my %SIGNAME;
sub signame {
    my ($n) = @_;
    unless (%SIGNAME) {
        my @names = qw(ZERO HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT
                       STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS);
        $SIGNAME{$_} = "SIG$names[$_]" for 1 .. $#names;
    }
    return $SIGNAME{$n} // "SIG$n";
}

sub argv_of { my ($c) = @_; return ('Rscript', $c->{entry}, @{$c->{args}}); }

# A run's container is new: R's session temp dirs that earlier runs left in /tmp (a start killed by a signal
# does not remove its own) are removed first.
sub fresh_tmp {
    opendir(my $d, '/tmp') or return;
    for my $n (grep { /^Rtmp/ } readdir $d) { empty_dir("/tmp/$n"); rmdir "/tmp/$n"; }
    closedir $d;
}

sub plain_run {
    my ($c, $o) = @_;
    fresh_tmp();
    empty_dir($o->{work});
    copy_tree($c->{dir}, $o->{work}, 1);
    chdir $o->{work} or die "chdir: $!";
    return run_once('/usr/bin/Rscript', [argv_of($c)], $c, undef, \&now_ms);
}

sub prestart_run {
    my ($c, $o) = @_;
    fresh_tmp();
    empty_dir($o->{work});
    chdir $o->{work} or die "chdir: $!";
    socketpair(my $ours, my $theirs, AF_UNIX, SOCK_STREAM, PF_UNSPEC) or die "socketpair: $!";
    my $on_ready = sub {
        my $said = '';
        sysread($ours, $said, 1);
        if ($said ne 'R') { close $ours; die "the launcher said '$said', not R\n"; }
        # The request arrives: its files, then the hand-over.
        copy_tree($c->{dir}, $o->{work}, 1);
        my $message = join('', map { "$_\0" } argv_of($c));
        my $t = now_ms();
        syswrite($ours, $message) == length $message or die "hand-over: $!";
        close $ours;
        return $t;
    };
    return run_once($o->{launcher}, [$o->{launcher}, 'Rscript'], $c, $theirs, $on_ready);
}

sub load_case {
    my ($path) = @_;
    # A conformance test of ../tests/ has expected.json (same fields, plus stderrMatch, a regular expression).
    my $spec = json_parse(slurp(-e "$path/case.json" ? "$path/case.json" : "$path/expected.json"));
    my ($name) = $path =~ m{([^/]+)/?$};
    my $stdin = $spec->{stdin} // '';
    utf8::encode($stdin);
    return {dir => $path, name => $name, entry => $spec->{entry} // 'main.R', args => $spec->{args} // [],
            stdin => $stdin, timeout_ms => $spec->{timeoutMs} // 30000, merge => $spec->{mergeStderr} ? 1 : 0,
            expect => $spec};
}

# A short line diff: the common head and tail are left out, the differing middle is shown.
sub diff {
    my ($label, $a, $b, $names) = @_;
    $names //= ['plain', 'prestart'];
    my @x = split /\n/, $a, -1;
    my @y = split /\n/, $b, -1;
    my $head = 0;
    $head++ while $head < @x && $head < @y && $x[$head] eq $y[$head];
    my $tail = 0;
    my $room = (@x < @y ? scalar @x : scalar @y) - $head;
    $tail++ while $tail < $room && $x[$#x - $tail] eq $y[$#y - $tail];
    my @lines = ("  $label differs from line " . ($head + 1) . " (- $names->[0], + $names->[1]):");
    my @dx = @x[$head .. $#x - $tail];
    my @dy = @y[$head .. $#y - $tail];
    push @lines, map { "    - \"$_\"" } @dx[0 .. ($#dx < 19 ? $#dx : 19)];
    push @lines, map { "    + \"$_\"" } @dy[0 .. ($#dy < 19 ? $#dy : 19)];
    return join("\n", @lines);
}

sub exit_of { my ($r) = @_; return $r->{signal} // $r->{code} // '?'; }

sub compare_starts {
    my ($plain, $pre) = @_;
    my @p;
    push @p, "  the launcher never became ready; its stderr: $pre->{stderr}" unless $pre->{ready};
    push @p, diff('stdout', $plain->{stdout}, $pre->{stdout}) if $plain->{stdout} ne $pre->{stdout};
    push @p, diff('stderr', $plain->{stderr}, $pre->{stderr}) if $plain->{stderr} ne $pre->{stderr};
    push @p, "  exit: plain " . exit_of($plain) . ", prestart " . exit_of($pre) if exit_of($plain) ne exit_of($pre);
    return @p;
}

# Where the plain start is not what case.json expects: so both starts being wrong alike is caught too.
sub check_expectations {
    my ($c, $plain) = @_;
    my $e = $c->{expect};
    my @p;
    for my $k (qw(stdout stderr)) {
        next unless exists $e->{$k};
        my $want = $e->{$k};
        utf8::encode($want);
        push @p, diff("plain $k", $want, $plain->{$k}, ['case.json', 'plain']) if $want ne $plain->{$k};
    }
    push @p, "  exit code: case.json $e->{exitCode}, plain " . exit_of($plain)
        if exists $e->{exitCode} && (!defined $plain->{code} || $plain->{code} != $e->{exitCode});
    push @p, "  signal: case.json $e->{signal}, plain " . exit_of($plain)
        if exists $e->{signal} && ($plain->{signal} // '') ne $e->{signal};
    if (exists $e->{stderrMatch}) {
        my $re = $e->{stderrMatch};
        utf8::encode($re);
        push @p, "  plain stderr does not match /$e->{stderrMatch}/" unless $plain->{stderr} =~ /$re/;
    }
    my $inc = $e->{stderrIncludes} // [];
    for my $part (ref $inc ? @$inc : ($inc)) {
        my $want = $part;
        utf8::encode($want);
        push @p, "  plain stderr lacks \"$part\"" if index($plain->{stderr}, $want) < 0;
    }
    return @p;
}

sub median {
    my @x = sort { $a <=> $b } grep { defined } @_;
    return 'nan' unless @x;
    my $m = @x % 2 ? $x[$#x / 2] : ($x[@x / 2 - 1] + $x[@x / 2]) / 2;
    return sprintf('%.1f', $m);
}

sub main {
    my %o = (work => '/work', bench => 0, launcher => $LAUNCHER, cases => []);
    while (@ARGV) {
        my $a = shift @ARGV;
        if ($a eq '--work') { $o{work} = shift @ARGV; }
        elsif ($a eq '--bench') { $o{bench} = shift @ARGV; }
        elsif ($a eq '--launcher') { $o{launcher} = shift @ARGV; }
        else { push @{$o{cases}}, case_dirs($a); }
    }
    unless (@{$o{cases}}) {
        print STDERR "usage: perl harness.pl [--work DIR] [--bench N] [--launcher PATH] CASE_DIR_OR_FOLDER_OF_THEM...\n";
        exit 2;
    }
    $| = 1;
    my $failed = 0;
    for my $path (@{$o{cases}}) {
        my $c = load_case($path);
        my $plain = plain_run($c, \%o);
        my $pre = prestart_run($c, \%o);
        my @differences = compare_starts($plain, $pre);
        my @expectations = check_expectations($c, $plain);
        my @problems = (@differences, @expectations);
        # A case.json "knownDifference" (why) lets the two starts differ: reported, not counted.
        my $known = $c->{expect}{knownDifference};
        my $verdict = !@problems ? 'pass' : ($known && !@expectations) ? 'known' : 'FAIL';
        printf "%-5s %s  (exit %s)%s\n", $verdict, $c->{name}, exit_of($plain), $verdict eq 'known' ? ": $known" : '';
        if (@problems) {
            $failed++ if $verdict eq 'FAIL';
            print join("\n", @problems), "\n";
        }
        if ($o{bench} > 0) {
            my %runs = (plain => [], prestart => []);
            for (1 .. $o{bench}) {
                push @{$runs{plain}}, plain_run($c, \%o);
                push @{$runs{prestart}}, prestart_run($c, \%o);
            }
            for my $mode (qw(plain prestart)) {
                my $rs = $runs{$mode};
                my $from = $mode eq 'plain' ? 'spawn' : 'hand-over';
                my $ready = $mode eq 'plain' ? '' : '; spawn -> hand-over ' . median(map { $_->{to_ready} } @$rs) . ' ms';
                printf "  %-8s %s -> first byte %s ms, -> exit %s ms (median of %d)%s\n", $mode, $from,
                    median(map { $_->{to_first} } @$rs), median(map { $_->{to_exit} } @$rs), scalar @$rs, $ready;
            }
        }
    }
    empty_dir($o{work});
    my $n = @{$o{cases}};
    printf "%d/%d cases pass\n", $n - $failed, $n;
    exit($failed ? 1 : 0);
}

main();
