# Checks the pre-started perl (or, with --language lua, lua5.4) against a plain start, case by case (README.md
# beside this file). Runs with the image's perl, using only modules of perl-base (so the same script serves an
# image without the full perl, as the lua one is):
#   perl harness.pl [--language perl|lua] [--work DIR] [--bench N] [--launcher PATH] CASE_DIR_OR_FOLDER_OF_THEM...
# For each case folder (program files plus case.json, or a conformance test's expected.json) it runs the plain
# `perl ENTRY ARGS...` in a fresh copy of the files in the work dir (default /work, which must be writable and is
# emptied), then does what the agent does with the launcher: starts it in the emptied work dir with a unix socket
# on fd 3 (nothing else open), waits for 'R', writes the files, sends the argv as NUL-terminated strings, closes
# its end and feeds stdin. stdout, stderr, exit code and signal must be the same bytes; the case's expectations
# (what a plain start prints) are checked against the plain run. A case.json "knownDifference" (a reason) marks a
# case whose two starts are known to differ (README.md); "env" adds variables to both starts' environment (the
# agent hands over only a stage whose environment is the launcher's, so both get them).
# --bench N: runs each case N more times each way and prints the medians of hand-over (or spawn) to first output
# byte and to exit, after the median of spawning /bin/true the same way (the harness's own share).
use strict;
use warnings;
use Errno qw(EINTR EAGAIN);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use File::Path qw(make_path remove_tree);
use IO::Select;
use POSIX ();
use Socket qw(AF_UNIX SOCK_STREAM PF_UNSPEC);

# What this harness stands in for, per runtime (--language): runtime.json's run command and prestart. The lua
# image has perl-base (essential in Debian) and no other language that can fork and pass a socket, so its
# launcher is checked with this script too.
my %RUNTIMES = (
  perl => { launcher => '/usr/local/lib/coderunner/perl-prestart', interpreter => '/usr/bin/perl',
            replaces => ['perl'], launcher_args => ['perl'], entry => 'main.pl' },
  lua => { launcher => '/usr/local/lib/coderunner/lua-prestart', interpreter => '/usr/bin/lua5.4',
           replaces => ['lua5.4'], launcher_args => ['lua5.4'], entry => 'main.lua' },
);
my ($LAUNCHER, $INTERPRETER, @REPLACES, @LAUNCHER_ARGS, $DEFAULT_ENTRY);
# The run's environment as the server gives it (server/src/runs/run-plan.ts BASE_ENV plus runtime.json's env).
my %ENV_OF_RUN = (
  PATH => '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME => '/work',
  LANG => 'C.UTF-8',
  TMPDIR => '/tmp',
);

# Monotonic milliseconds. Time::HiRes is not in perl-base: clock_gettime(CLOCK_MONOTONIC) by its x86-64 number.
sub now {
  my $ts = pack('q2', 0, 0);
  syscall(228, 1, $ts) == 0 or die "clock_gettime: $!";
  my ($s, $ns) = unpack('q2', $ts);
  return $s * 1000 + $ns / 1e6;
}

# A small JSON reader for case.json (objects, arrays, strings, numbers, true/false/null).
sub json_decode {
  my ($text) = @_;
  my $pos = 0;
  my $ws = sub { $text =~ /\G\s*/gc };
  my $value;
  $value = sub {
    $ws->();
    if ($text =~ /\G\{/gc) {
      my %h;
      $ws->();
      return \%h if $text =~ /\G\}/gc;
      while (1) {
        $ws->();
        my $k = $value->();
        $ws->();
        $text =~ /\G:/gc or die "case.json: ':' expected at " . pos($text);
        $h{$k} = $value->();
        $ws->();
        next if $text =~ /\G,/gc;
        last if $text =~ /\G\}/gc;
        die "case.json: ',' or '}' expected at " . pos($text);
      }
      return \%h;
    }
    if ($text =~ /\G\[/gc) {
      my @a;
      $ws->();
      return \@a if $text =~ /\G\]/gc;
      while (1) {
        push @a, $value->();
        $ws->();
        next if $text =~ /\G,/gc;
        last if $text =~ /\G\]/gc;
        die "case.json: ',' or ']' expected at " . pos($text);
      }
      return \@a;
    }
    if ($text =~ /\G"/gc) {
      my $s = '';
      while (1) {
        if ($text =~ /\G([^"\\]+)/gc) { $s .= $1; next }
        last if $text =~ /\G"/gc;
        if ($text =~ /\G\\u([0-9a-fA-F]{4})/gc) {
          my $c = hex $1;
          if ($c >= 0xD800 && $c < 0xDC00 && $text =~ /\G\\u([0-9a-fA-F]{4})/gc) {
            $c = 0x10000 + (($c - 0xD800) << 10) + (hex($1) - 0xDC00);
          }
          $s .= chr $c;
          next;
        }
        if ($text =~ /\G\\(.)/gcs) {
          my %esc = (n => "\n", t => "\t", r => "\r", b => "\b", f => "\f", '"' => '"', '\\' => '\\', '/' => '/');
          $s .= $esc{$1} // die "case.json: bad escape \\$1";
          next;
        }
        die "case.json: unterminated string";
      }
      # JSON text is UTF-8: the strings are characters; encode them to the bytes the programs see.
      utf8::encode($s);
      return $s;
    }
    return $1 + 0 if $text =~ /\G(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/gc;
    return 1 if $text =~ /\Gtrue/gc;
    return 0 if $text =~ /\Gfalse/gc;
    return undef if $text =~ /\Gnull/gc;
    die "case.json: unexpected text at " . pos($text);
  };
  utf8::decode($text);
  my $v = $value->();
  return $v;
}

sub read_file {
  my ($path) = @_;
  open(my $fh, '<:raw', $path) or die "$path: $!";
  local $/;
  my $data = <$fh>;
  close $fh;
  return $data // '';
}

sub parse_args {
  my %o = (work => '/work', bench => 0, language => 'perl', cases => []);
  my @argv = @_;
  while (@argv) {
    my $a = shift @argv;
    if ($a eq '--work') { $o{work} = shift @argv }
    elsif ($a eq '--language') { $o{language} = shift @argv }
    elsif ($a eq '--bench') { $o{bench} = int shift @argv }
    elsif ($a eq '--launcher') { $o{launcher} = shift @argv }
    else { push @{ $o{cases} }, case_dirs($a) }
  }
  my $rt = $RUNTIMES{ $o{language} };
  unless (@{ $o{cases} } && $rt) {
    print STDERR "usage: perl harness.pl [--language perl|lua] [--work DIR] [--bench N] [--launcher PATH] "
      . "CASE_DIR_OR_FOLDER_OF_THEM...\n";
    exit 2;
  }
  ($LAUNCHER, $INTERPRETER, $DEFAULT_ENTRY) = @$rt{qw(launcher interpreter entry)};
  @REPLACES = @{ $rt->{replaces} };
  @LAUNCHER_ARGS = @{ $rt->{launcher_args} };
  $o{launcher} //= $LAUNCHER;
  return \%o;
}

# A case folder, or a folder of them (sorted).
sub case_dirs {
  my ($path) = @_;
  return ($path) if -e "$path/case.json" || -e "$path/expected.json";
  opendir(my $dh, $path) or die "$path: $!";
  my @names = sort grep { !/^\./ && (-e "$path/$_/case.json" || -e "$path/$_/expected.json") } readdir $dh;
  closedir $dh;
  return map { "$path/$_" } @names;
}

sub empty_dir {
  my ($path) = @_;
  make_path($path);
  opendir(my $dh, $path) or die "$path: $!";
  for my $name (grep { $_ ne '.' && $_ ne '..' } readdir $dh) {
    my $full = "$path/$name";
    if (-d $full && !-l $full) { remove_tree($full) }
    else { unlink $full or die "$full: $!" }
  }
  closedir $dh;
}

# The case's files (not case.json/expected.json) into the work dir, modes kept (0644 or 0755 as the agent writes).
sub copy_case {
  my ($from, $to, $top) = @_;
  opendir(my $dh, $from) or die "$from: $!";
  for my $name (grep { $_ ne '.' && $_ ne '..' } readdir $dh) {
    next if $top && ($name eq 'case.json' || $name eq 'expected.json');
    my ($src, $dst) = ("$from/$name", "$to/$name");
    if (-d $src) {
      mkdir $dst or die "$dst: $!";
      copy_case($src, $dst, 0);
    } else {
      open(my $out, '>:raw', $dst) or die "$dst: $!";
      print $out read_file($src);
      close $out or die "$dst: $!";
      chmod((-x $src ? 0755 : 0644), $dst);
    }
  }
  closedir $dh;
}

sub nonblocking {
  my ($fh) = @_;
  my $flags = fcntl($fh, F_GETFL, 0) or die "fcntl: $!";
  fcntl($fh, F_SETFL, $flags | O_NONBLOCK) or die "fcntl: $!";
}

# Spawns program with pipes as fds 0-2 (and $sock as fd 3), nothing else open (perl opens every fd above 2
# close-on-exec), default signal dispositions, an empty signal mask and exactly the run's environment. $on_ready
# runs once the process may be given its program (at once for a plain start; after 'R' for the launcher) and
# returns the moment timing starts from. Then stdin is fed and stdout/stderr collected until the process ends.
sub run_once {
  my ($program, $argv, $c, $sock, $on_ready) = @_;
  pipe(my $in_r, my $in_w) or die "pipe: $!";
  pipe(my $out_r, my $out_w) or die "pipe: $!";
  pipe(my $err_r, my $err_w) or die "pipe: $!";
  my $spawned_at = now();
  my $pid = fork() // die "fork: $!";
  if ($pid == 0) {
    my @fds = (fileno $in_r, fileno $out_w, fileno($c->{merge} ? $out_w : $err_w));
    push @fds, fileno $sock if $sock;
    # Above every target first, so that no dup2 overwrites a source still needed.
    my @high = map { POSIX::dup($_) } @fds;
    POSIX::dup2($high[$_], $_) for 0 .. $#high;
    POSIX::close($_) for @high;
    $SIG{$_} = 'DEFAULT' for grep { $_ ne 'ZERO' && $_ ne 'KILL' && $_ ne 'STOP' } keys %SIG;
    POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new());
    %ENV = (%ENV_OF_RUN, %{ $c->{env} });
    { no warnings 'exec'; exec { $program } @$argv }
    POSIX::_exit(127);
  }
  close $_ for $in_r, $out_w, $err_w;
  close $sock if $sock;
  my ($ready, $start, $note) = (1, $spawned_at, undef);
  $start = eval { $on_ready->() };
  unless (defined $start) {
    ($ready, $note, $start) = (0, $@ || 'not ready', $spawned_at);
    kill 'KILL', $pid;
  }
  my %out = (stdout => '', stderr => '');
  my $first;
  my %name = (fileno($out_r) => 'stdout', fileno($err_r) => 'stderr');
  my $stdin = $c->{stdin};
  my $select = IO::Select->new($out_r, $err_r);
  my $wsel = IO::Select->new();
  if (length $stdin) { nonblocking($in_w); $wsel->add($in_w) } else { close $in_w; undef $in_w }
  my $deadline = now() + $c->{timeout_ms};
  local $SIG{PIPE} = 'IGNORE';  # EPIPE when the program does not read its stdin
  while ($select->count) {
    my $left = ($deadline - now()) / 1000;
    if ($left <= 0) { kill 'KILL', $pid; $deadline = now() + 5000; $note = 'killed at the time limit'; next }
    my ($r, $w) = IO::Select->select($select, $wsel->count ? $wsel : undef, undef, $left);
    for my $fh (@{ $w || [] }) {
      my $n = syswrite($fh, $stdin);
      if (defined $n) { substr($stdin, 0, $n) = '' }
      elsif ($! != EAGAIN && $! != EINTR) { $stdin = '' }
      if (!length $stdin) { $wsel->remove($fh); close $fh; undef $in_w }
    }
    for my $fh (@{ $r || [] }) {
      my $n = sysread($fh, my $buf, 65536);
      next if !defined $n && $! == EINTR;
      if (!$n) { $select->remove($fh); close $fh; next }
      $first //= now();
      $out{ $name{ fileno $fh } } .= $buf;
    }
  }
  close $in_w if $in_w;
  waitpid($pid, 0);
  my $st = $?;
  my $exited = now();
  my $code = ($st & 127) ? undef : $st >> 8;
  my $sig = ($st & 127) ? 'SIG' . signame($st & 127) : undef;
  my $stderr = $out{stderr} . (defined $note ? "\n[harness: $note]\n" : '');
  return { stdout => $out{stdout}, stderr => $stderr, code => $code, signal => $sig, ready => $ready,
           to_first => defined $first ? $first - $start : undef, to_exit => $exited - $start,
           to_ready => $start - $spawned_at };
}

my %SIGNAME;
sub signame {
  unless (%SIGNAME) {
    require Config;
    my @names = split ' ', $Config::Config{sig_name};
    my @nums = split ' ', $Config::Config{sig_num};
    @SIGNAME{@nums} = @names;
    $SIGNAME{$_} //= $_ for 1 .. 64;
  }
  return $SIGNAME{ $_[0] };
}

sub plain_run {
  my ($c, $o) = @_;
  empty_dir($o->{work});
  copy_case($c->{dir}, $o->{work}, 1);
  chdir $o->{work} or die "$o->{work}: $!";
  return run_once($INTERPRETER, [@REPLACES, $c->{entry}, @{ $c->{args} }], $c, undef, \&now);
}

sub prestart_run {
  my ($c, $o) = @_;
  empty_dir($o->{work});
  chdir $o->{work} or die "$o->{work}: $!";
  socketpair(my $ours, my $theirs, AF_UNIX, SOCK_STREAM, PF_UNSPEC) or die "socketpair: $!";
  my $on_ready = sub {
    my $said = '';
    my $rin = '';
    vec($rin, fileno $ours, 1) = 1;
    select(my $rout = $rin, undef, undef, $c->{timeout_ms} / 1000) > 0 or die "the launcher said nothing\n";
    sysread($ours, $said, 1);
    die "the launcher said '$said', not R\n" unless $said eq 'R';
    # The request arrives: its files, then the hand-over.
    copy_case($c->{dir}, $o->{work}, 1);
    my $message = join('', map { "$_\0" } @REPLACES, $c->{entry}, @{ $c->{args} });
    my $t = now();
    my $off = 0;
    while ($off < length $message) {
      my $n = syswrite($ours, $message, length($message) - $off, $off) // die "write: $!";
      $off += $n;
    }
    close $ours;
    return $t;
  };
  return run_once($o->{launcher}, [$o->{launcher}, @LAUNCHER_ARGS], $c, $theirs, $on_ready);
}

sub load_case {
  my ($path) = @_;
  my $file = -e "$path/case.json" ? "$path/case.json" : "$path/expected.json";
  my $spec = json_decode(read_file($file));
  (my $name = $path) =~ s{.*/}{};
  return { dir => $path, name => $name, entry => $spec->{entry} // $DEFAULT_ENTRY, args => $spec->{args} // [],
           stdin => $spec->{stdin} // '', timeout_ms => $spec->{timeoutMs} // 20000,
           merge => $spec->{mergeStderr} ? 1 : 0, env => $spec->{env} // {}, expect => $spec };
}

sub quote {
  my ($s) = @_;
  $s =~ s/([\\"])/\\$1/g;
  $s =~ s/([\x00-\x1f\x7f])/sprintf('\\x%02x', ord $1)/ge;
  return "\"$s\"";
}

# A short line diff: the common head and tail are left out, the differing middle is shown quoted.
sub diff {
  my ($label, $a, $b, @names) = @_;
  @names = ('plain', 'prestart') unless @names;
  my @x = split /\n/, $a, -1;
  my @y = split /\n/, $b, -1;
  my $head = 0;
  $head++ while $head < @x && $head < @y && $x[$head] eq $y[$head];
  my $tail = 0;
  my $room = (@x < @y ? @x : @y) - $head;
  $tail++ while $tail < $room && $x[-1 - $tail] eq $y[-1 - $tail];
  my @lines = ("  $label differs from line " . ($head + 1) . " (- $names[0], + $names[1]):");
  my @dx = @x[$head .. $#x - $tail];
  my @dy = @y[$head .. $#y - $tail];
  push @lines, map { '    - ' . quote($_) } grep { defined } @dx[0 .. ($#dx < 19 ? $#dx : 19)];
  push @lines, map { '    + ' . quote($_) } grep { defined } @dy[0 .. ($#dy < 19 ? $#dy : 19)];
  return join("\n", @lines);
}

sub status_text { my ($r) = @_; return ($r->{code} // '-') . '/' . ($r->{signal} // '-') }

sub compare_starts {
  my ($plain, $pre) = @_;
  my @p;
  push @p, "  the launcher never became ready; its stderr: " . quote($pre->{stderr}) unless $pre->{ready};
  push @p, diff('stdout', $plain->{stdout}, $pre->{stdout}) if $plain->{stdout} ne $pre->{stdout};
  push @p, diff('stderr', $plain->{stderr}, $pre->{stderr}) if $plain->{stderr} ne $pre->{stderr};
  push @p, '  exit: plain ' . status_text($plain) . ', prestart ' . status_text($pre)
    if status_text($plain) ne status_text($pre);
  return @p;
}

# Where the plain start is not what the case expects: so both starts being wrong alike is caught too.
sub check_expectations {
  my ($c, $plain) = @_;
  my $e = $c->{expect};
  my @p;
  push @p, diff('plain stdout', $e->{stdout}, $plain->{stdout}, 'case', 'plain')
    if defined $e->{stdout} && $plain->{stdout} ne $e->{stdout};
  push @p, diff('plain stderr', $e->{stderr}, $plain->{stderr}, 'case', 'plain')
    if defined $e->{stderr} && $plain->{stderr} ne $e->{stderr};
  push @p, "  exit code: case $e->{exitCode}, plain " . status_text($plain)
    if defined $e->{exitCode} && ($plain->{code} // -1) != $e->{exitCode};
  push @p, "  signal: case $e->{signal}, plain " . status_text($plain)
    if defined $e->{signal} && ($plain->{signal} // '') ne $e->{signal};
  my $inc = $e->{stderrIncludes} // [];
  for my $part (ref $inc ? @$inc : ($inc)) {
    push @p, '  plain stderr lacks ' . quote($part) if index($plain->{stderr}, $part) < 0;
  }
  # A conformance test's expected.json: stderrMatch (a regex) and status.
  if (defined $e->{stderrMatch} && $plain->{stderr} !~ /$e->{stderrMatch}/) {
    push @p, '  plain stderr does not match ' . quote($e->{stderrMatch});
  }
  if (defined $e->{status}) {
    my $ok = defined $plain->{code} && $plain->{code} == 0;
    push @p, "  status: expected $e->{status}, plain " . status_text($plain)
      if ($e->{status} eq 'ok') != $ok;
  }
  return @p;
}

sub median {
  my @xs = sort { $a <=> $b } grep { defined } @_;
  return 'nan' unless @xs;
  return @xs % 2 ? $xs[$#xs / 2] : ($xs[@xs / 2 - 1] + $xs[@xs / 2]) / 2;
}

sub main {
  my $o = parse_args(@ARGV);
  $| = 1;
  my $failed = 0;
  if ($o->{bench} > 0) {
    # What the harness's own fork and exec cost (under gVisor a fork of this perl is most of a plain start's time):
    # /bin/true spawned as the plain starts are, to subtract from them.
    my $c = { stdin => '', merge => 0, env => {}, timeout_ms => 20000 };
    my @runs = map { run_once('/bin/true', ['true'], $c, undef, \&now) } 1 .. $o->{bench};
    printf "baseline: spawn /bin/true -> exit %.2f ms (median of %d)\n", median(map { $_->{to_exit} } @runs),
      scalar @runs;
  }
  for my $path (@{ $o->{cases} }) {
    my $c = load_case($path);
    my $plain = plain_run($c, $o);
    my $pre = prestart_run($c, $o);
    my @differences = compare_starts($plain, $pre);
    my @expectations = check_expectations($c, $plain);
    my @problems = (@differences, @expectations);
    # A case.json "knownDifference" (why) lets the two starts differ: reported, not counted.
    my $known = $c->{expect}{knownDifference};
    my $verdict = !@problems ? 'pass' : ($known && !@expectations) ? 'known' : 'FAIL';
    my $exit = $plain->{signal} // $plain->{code};
    printf "%-5s %s  (exit %s)%s\n", $verdict, $c->{name}, $exit, $verdict eq 'known' ? ": $known" : '';
    if (@problems) {
      $failed++ if $verdict eq 'FAIL';
      print join("\n", @problems), "\n";
    }
    if ($o->{bench} > 0) {
      my (@plain, @pre);
      for (1 .. $o->{bench}) {
        push @plain, plain_run($c, $o);
        push @pre, prestart_run($c, $o);
      }
      printf "  %-8s spawn -> first byte %.2f ms, -> exit %.2f ms (median of %d)\n", 'plain',
        median(map { $_->{to_first} } @plain), median(map { $_->{to_exit} } @plain), scalar @plain;
      printf "  %-8s hand-over -> first byte %.2f ms, -> exit %.2f ms (median of %d); spawn -> hand-over %.2f ms\n",
        'prestart', median(map { $_->{to_first} } @pre), median(map { $_->{to_exit} } @pre), scalar @pre,
        median(map { $_->{to_ready} } @pre);
    }
  }
  empty_dir($o->{work});
  my $n = @{ $o->{cases} };
  printf "%d/%d cases pass\n", $n - $failed, $n;
  exit($failed ? 1 : 0);
}

main();
