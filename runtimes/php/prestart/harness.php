<?php
// Checks the pre-started php against a plain start, case by case (README.md beside this file). Runs with php in
// the php image:
//   php harness.php [--work DIR] [--bench N] [--launcher PATH] CASE_DIR_OR_FOLDER_OF_THEM...
// For each case folder (program files plus case.json) it runs the plain
// `php -d display_errors=stderr -d log_errors=0 -f ENTRY -- ARGS...` in a fresh copy of the files in the work dir
// (default /work, emptied), then does what the agent does with the launcher: starts it in the emptied work dir
// with a unix socket on fd 3, waits for 'R', writes the files, sends the argv as NUL-terminated strings, closes
// its end and feeds stdin. stdout, stderr, exit code and signal must be the same bytes; case.json's expectations
// (what a plain start prints) are checked against the plain run. A case.json "knownDifference" (a reason) marks
// a case whose two starts are known to differ (README.md).
// case.json may also give "interpreterArgs" (between the fixed prefix and -f, as runtime.json's
// {interpreterArgs}) and "message" (sent instead of the argv; the plain run then has no meaning but must not fail
// the expectations).
// --bench N: runs each case N more times each way and prints the medians of hand-over (or spawn) to first
// output byte and to exit.

const LAUNCHER = '/usr/local/lib/coderunner/php-prestart';
const PLAIN = ['php', '-d', 'display_errors=stderr', '-d', 'log_errors=0'];
// The run's environment as the server gives it (server/src/runs/run-plan.ts BASE_ENV; runtime.json adds none).
const ENV = [
    'PATH' => '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOME' => '/work',
    'LANG' => 'C.UTF-8',
    'TMPDIR' => '/tmp',
];

function usage(): never
{
    fwrite(STDERR, "usage: php harness.php [--work DIR] [--bench N] [--launcher PATH] CASE_DIR_OR_FOLDER_OF_THEM...\n");
    exit(2);
}

function case_dirs(string $path): array
{
    if (is_file("$path/case.json")) {
        return [$path];
    }
    $dirs = [];
    foreach (scandir($path) as $name) {
        if ($name[0] !== '.' && is_file("$path/$name/case.json")) {
            $dirs[] = "$path/$name";
        }
    }
    return $dirs;
}

function empty_dir(string $dir): void
{
    foreach (scandir($dir) as $name) {
        if ($name === '.' || $name === '..') {
            continue;
        }
        $p = "$dir/$name";
        if (is_dir($p) && !is_link($p)) {
            empty_dir($p);
            rmdir($p);
        } else {
            unlink($p);
        }
    }
}

// The case's program files (all but case.json), with their modes, into the work dir.
function write_files(string $from, string $to, string $rel = ''): void
{
    foreach (scandir("$from$rel") as $name) {
        if ($name === '.' || $name === '..' || ($rel === '' && $name === 'case.json')) {
            continue;
        }
        $src = "$from$rel/$name";
        $dst = "$to$rel/$name";
        if (is_dir($src)) {
            mkdir($dst);
            write_files($from, $to, "$rel/$name");
        } else {
            copy($src, $dst);
            chmod($dst, fileperms($src) & 0111 ? 0755 : 0644);
        }
    }
}

function open_fds(): array
{
    return array_map('intval', array_values(array_diff(scandir('/proc/self/fd'), ['.', '..'])));
}

// Feeds stdin, collects stdout and stderr until both end and the process has exited. Returns the result and
// the times (ms since $t0) of the first output byte and of the exit.
function collect($proc, array $pipes, string $stdin, float $t0): array
{
    $out = ['', ''];
    $open = [1 => $pipes[1]];
    if (isset($pipes[2])) {
        $open[2] = $pipes[2];
    }
    foreach ($open as $p) {
        stream_set_blocking($p, false);
    }
    $in = $pipes[0];
    stream_set_blocking($in, false);
    $pending = $stdin;
    if ($pending === '') {
        fclose($in);
        $in = null;
    }
    $first = null;
    $exit = null;
    $status = null;
    while ($open || $status === null) {
        $r = array_values($open);
        $w = $in ? [$in] : [];
        $e = null;
        if ($r || $w) {
            // Data and end of file wake this at once; the timeout only bounds the exit polling below.
            stream_select($r, $w, $e, 0, 50000);
        } else {
            usleep(200);
        }
        foreach ($w as $s) {
            $n = @fwrite($s, $pending);
            if ($n === false) {
                $pending = '';
            } else {
                $pending = substr($pending, $n);
            }
            if ($pending === '') {
                fclose($in);
                $in = null;
            }
        }
        foreach ($r as $s) {
            $k = array_search($s, $open, true);
            $chunk = fread($s, 65536);
            if ($chunk !== '' && $chunk !== false) {
                $first ??= (hrtime(true) - $t0) / 1e6;
                $out[$k - 1] .= $chunk;
            } elseif (feof($s)) {
                fclose($s);
                unset($open[$k]);
            }
        }
        if ($status === null) {
            $st = proc_get_status($proc);
            if (!$st['running']) {
                $status = $st;
                $exit = (hrtime(true) - $t0) / 1e6;
            }
        }
    }
    if ($in) {
        fclose($in);
    }
    proc_close($proc);
    return [
        'stdout' => $out[0], 'stderr' => $out[1],
        'code' => $status['signaled'] ? null : $status['exitcode'],
        'signal' => $status['signaled'] ? $status['termsig'] : null,
        'to_first' => $first ?? $exit, 'to_exit' => $exit,
    ];
}

function descriptors(array $c): array
{
    return [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => $c['mergeStderr'] ?? false ? ['redirect', 1] : ['pipe', 'w']];
}

function plain_run(array $c, array $o): array
{
    empty_dir($o['work']);
    write_files($c['dir'], $o['work']);
    $argv = array_merge(PLAIN, $c['interpreterArgs'] ?? [], ['-f', $c['entry'], '--'], $c['args'] ?? []);
    // As the agent starts it: nothing open but 0, 1 and 2 (see prestart_run for the shell).
    $closes = implode(' ', array_map(fn($fd) => "$fd<&-", array_filter(open_fds(), fn($fd) => $fd > 2 && $fd < 10)));
    $cmd = array_merge(['/bin/sh', '-c', "exec /usr/bin/env -u PWD \"\$@\" $closes", 'sh'], $argv);
    $t0 = hrtime(true);
    $proc = proc_open($cmd, descriptors($c), $pipes, $o['work'], ENV);
    return collect($proc, $pipes, $c['stdin'] ?? '', $t0);
}

function prestart_run(array $c, array $o): array
{
    empty_dir($o['work']);
    [$ours, $theirs] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
    // PHP's sockets are not close-on-exec: the launcher must not keep the pair's original fds (ours would
    // never let it see end of file), so the shell closes everything above 3 (proc_open puts the socket on 3).
    // env -u PWD undoes the PWD that dash exports.
    $closes = implode(' ', array_map(fn($fd) => "$fd<&-", array_filter(open_fds(), fn($fd) => $fd > 3 && $fd < 10)));
    $cmd = ['/bin/sh', '-c', "exec /usr/bin/env -u PWD \"\$@\" $closes", 'sh', $o['launcher']];
    $spec = descriptors($c) + [3 => $theirs];
    $t0 = hrtime(true);
    $proc = proc_open($cmd, $spec, $pipes, $o['work'], ENV);
    fclose($theirs);
    $r = fread($ours, 1);
    $ready = (hrtime(true) - $t0) / 1e6;
    write_files($c['dir'], $o['work']);
    $argv = array_merge(PLAIN, $c['interpreterArgs'] ?? [], ['-f', $c['entry'], '--'], $c['args'] ?? []);
    // case.json "message": a hand-over message other than the argv (a JSON string), to check the refusal.
    $msg = $c['message'] ?? implode("\0", $argv) . "\0";
    $t1 = hrtime(true);
    if ($r === 'R') {
        fwrite($ours, $msg);
    }
    fclose($ours);
    $res = collect($proc, $pipes, $c['stdin'] ?? '', $t1);
    $res['to_ready'] = $ready;
    if ($r !== 'R') {
        $res['stderr'] = "(no R from the launcher)\n" . $res['stderr'];
    }
    return $res;
}

function show(?string $s): string
{
    return json_encode($s, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE);
}

function compare(array $a, array $b): array
{
    $d = [];
    foreach (['stdout', 'stderr', 'code', 'signal'] as $k) {
        if ($a[$k] !== $b[$k]) {
            $d[] = "  $k differs:\n    plain:    " . show((string)$a[$k]) . "\n    prestart: " . show((string)$b[$k]);
        }
    }
    return $d;
}

function expectations(array $c, array $plain): array
{
    $p = [];
    foreach (['stdout', 'stderr'] as $k) {
        if (array_key_exists($k, $c) && $c[$k] !== $plain[$k]) {
            $p[] = "  plain $k is not case.json's:\n    expected: " . show($c[$k]) . "\n    got:      " . show($plain[$k]);
        }
    }
    if (isset($c['stderrIncludes']) && !str_contains($plain['stderr'], $c['stderrIncludes'])) {
        $p[] = "  plain stderr lacks " . show($c['stderrIncludes']) . ": " . show($plain['stderr']);
    }
    if (array_key_exists('exitCode', $c) && $c['exitCode'] !== $plain['code']) {
        $p[] = "  plain exit code {$plain['code']}, case.json says {$c['exitCode']}";
    }
    if (isset($c['signal'])) {
        $sig = constant($c['signal']);
        if ($plain['signal'] !== $sig) {
            $p[] = "  plain signal " . var_export($plain['signal'], true) . ", case.json says {$c['signal']}";
        }
    }
    return $p;
}

function median(array $xs): float
{
    sort($xs);
    $n = count($xs);
    return $n % 2 ? $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2;
}

$o = ['work' => '/work', 'bench' => 0, 'launcher' => LAUNCHER, 'cases' => []];
for ($i = 1; $i < $argc; $i++) {
    match ($argv[$i]) {
        '--work' => $o['work'] = realpath($argv[++$i]),
        '--bench' => $o['bench'] = (int)$argv[++$i],
        '--launcher' => $o['launcher'] = $argv[++$i],
        default => $o['cases'] = array_merge($o['cases'], case_dirs(realpath($argv[$i]) ?: usage())),
    };
}
if (!$o['cases']) {
    usage();
}
$failed = 0;
foreach ($o['cases'] as $dir) {
    $c = json_decode(file_get_contents("$dir/case.json"), true, 512, JSON_THROW_ON_ERROR);
    $c['dir'] = $dir;
    $name = basename($dir);
    $plain = plain_run($c, $o);
    $pre = prestart_run($c, $o);
    $exp = expectations($c, $plain);
    $problems = array_merge(compare($plain, $pre), $exp);
    $known = $c['knownDifference'] ?? null;
    $verdict = !$problems ? 'pass' : ($known && !$exp ? 'known' : 'FAIL');
    $exit = $plain['signal'] !== null ? "signal {$plain['signal']}" : "exit {$plain['code']}";
    echo str_pad($verdict, 5), " $name  ($exit)", $verdict === 'known' ? ": $known" : '', "\n";
    if ($problems) {
        if ($verdict === 'FAIL') {
            $failed++;
        }
        echo implode("\n", $problems), "\n";
    }
    if ($o['bench'] > 0) {
        $runs = ['plain' => [], 'prestart' => []];
        for ($k = 0; $k < $o['bench']; $k++) {
            $runs['plain'][] = plain_run($c, $o);
            $runs['prestart'][] = prestart_run($c, $o);
        }
        foreach ($runs as $mode => $rs) {
            $from = $mode === 'plain' ? 'spawn' : 'hand-over';
            $ready = $mode === 'plain' ? '' : sprintf('; spawn -> hand-over %.1f ms', median(array_column($rs, 'to_ready')));
            printf("  %-8s %s -> first byte %.1f ms, -> exit %.1f ms (median of %d)%s\n", $mode, $from,
                median(array_column($rs, 'to_first')), median(array_column($rs, 'to_exit')), count($rs), $ready);
        }
    }
}
empty_dir($o['work']);
$n = count($o['cases']);
echo $n - $failed, "/$n cases pass\n";
exit($failed ? 1 : 0);
