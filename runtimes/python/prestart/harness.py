# Checks the pre-started python3 against a plain start, case by case (README.md beside this file). Runs with
# python3 in the python image:
#   python3 harness.py [--work DIR] [--bench N] [--launcher PATH] CASE_DIR_OR_FOLDER_OF_THEM...
# For each case folder (program files plus case.json) it runs the plain `python3 -u ENTRY ARGS...` in a fresh copy
# of the files in the work dir (default /work, which must be writable and is emptied), then does what the agent
# does with the launcher: starts it in the emptied work dir with a unix socket on fd 3 (nothing else open), waits
# for 'R', writes the files, sends the argv as NUL-terminated strings, closes its end and feeds stdin. stdout,
# stderr, exit code and signal must be the same bytes; case.json's expectations (what a plain start prints) are
# checked against the plain run. A case.json "knownDifference" (a reason) marks a case whose two starts are known
# to differ (README.md).
# --bench N: runs each case N more times each way and prints the medians of hand-over (or spawn) to first output
# byte and to exit.
import json
import os
import shutil
import signal
import socket
import statistics
import sys
import threading
import time
import warnings

LAUNCHER = '/usr/local/lib/coderunner/python-prestart'
PYTHON = '/usr/bin/python3'
# The run's environment as the server gives it (server/src/runs/run-plan.ts BASE_ENV plus runtime.json's env).
ENV = {
    'PATH': '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOME': '/work',
    'LANG': 'C.UTF-8',
    'TMPDIR': '/tmp',
    'PYTHONDONTWRITEBYTECODE': '1',
    'PYTHONIOENCODING': 'utf-8',
    'MPLBACKEND': 'module://coderunner_show',
    'MPLCONFIGDIR': '/tmp/matplotlib',
}


def parse_args(argv):
    options = {'work': '/work', 'bench': 0, 'launcher': LAUNCHER, 'cases': []}
    i = 0
    while i < len(argv):
        if argv[i] == '--work':
            i += 1
            options['work'] = os.path.abspath(argv[i])
        elif argv[i] == '--bench':
            i += 1
            options['bench'] = int(argv[i])
        elif argv[i] == '--launcher':
            i += 1
            options['launcher'] = argv[i]
        else:
            options['cases'].extend(case_dirs(os.path.abspath(argv[i])))
        i += 1
    if not options['cases']:
        print('usage: python3 harness.py [--work DIR] [--bench N] [--launcher PATH] CASE_DIR_OR_FOLDER_OF_THEM...',
              file=sys.stderr)
        sys.exit(2)
    return options


def case_dirs(path):
    """A case folder, or a folder of them (sorted)."""
    if os.path.exists(os.path.join(path, 'case.json')):
        return [path]
    return [os.path.join(path, n) for n in sorted(os.listdir(path))
            if os.path.exists(os.path.join(path, n, 'case.json'))]


def empty_dir(path):
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full)
        else:
            os.unlink(full)


def copy_case(case_dir, work):
    for name in os.listdir(case_dir):
        if name == 'case.json':
            continue
        src = os.path.join(case_dir, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(work, name))
        else:
            shutil.copy(src, os.path.join(work, name))


def now():
    return time.monotonic_ns() / 1e6


USE_POSIX_SPAWN = [True]
DEFAULT_SIGNALS = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT)


def spawn(program, argv, actions):
    """program with fds 0-3 from actions ((POSIX_SPAWN_DUP2, fd, target) in target order), nothing else open
    (every fd of the harness is close-on-exec), default signal dispositions and an empty signal mask. posix_spawn,
    or where it is refused (gVisor with the default seccomp profile answers glibc's clone3 with EPERM) fork+exec."""
    if USE_POSIX_SPAWN[0]:
        try:
            return os.posix_spawn(program, argv, ENV, file_actions=actions, setsigdef=DEFAULT_SIGNALS, setsigmask=())
        except PermissionError:
            USE_POSIX_SPAWN[0] = False
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)  # fork with the reader threads of earlier runs
        pid = os.fork()
    if pid == 0:
        try:
            high = [(os.dup(fd), target) for _, fd, target in actions]
            for fd, target in high:
                os.dup2(fd, target)
            for sig in DEFAULT_SIGNALS:
                signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, ())
            os.execve(program, argv, ENV)
        finally:
            os._exit(127)
    return pid


def run_once(program, argv, work, stdin, merge, sock, on_ready, timeout_ms):
    """Spawns program with pipes as fds 0-2 (and sock's other end as fd 3), collects its output and exit.
    on_ready() runs once the process may be given its program (at once for a plain start; after 'R' for the
    launcher) and returns the moment timing starts from."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1),
               (os.POSIX_SPAWN_DUP2, out_w if merge else err_w, 2)]
    if sock is not None:
        actions.append((os.POSIX_SPAWN_DUP2, sock.fileno(), 3))
    spawned_at = now()
    pid = spawn(program, argv, actions)
    for fd in (in_r, out_w, err_w):
        os.close(fd)
    if sock is not None:
        sock.close()
    result = {'stdout': b'', 'stderr': b'', 'first': None}
    lock = threading.Lock()

    def reader(fd, key):
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            with lock:
                if result['first'] is None:
                    result['first'] = now()
            chunks.append(chunk)
        os.close(fd)
        result[key] = b''.join(chunks)

    threads = [threading.Thread(target=reader, args=(out_r, 'stdout')),
               threading.Thread(target=reader, args=(err_r, 'stderr'))]
    for t in threads:
        t.start()
    status = {}

    def waiter():
        _, st = os.waitpid(pid, 0)
        status['at'] = now()
        status['st'] = st

    w = threading.Thread(target=waiter)
    w.start()
    killer = threading.Timer(timeout_ms / 1000, lambda: os.kill(pid, signal.SIGKILL))
    killer.start()
    ready, start, note = True, spawned_at, None
    try:
        start = on_ready()
    except Exception as e:  # the launcher did not say R
        ready, note = False, str(e)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def feeder():
        try:
            os.write(in_w, stdin)
        except OSError:  # EPIPE when the program does not read its stdin
            pass
        os.close(in_w)

    f = threading.Thread(target=feeder)
    f.start()
    w.join()
    for t in threads:
        t.join()
    f.join()
    killer.cancel()
    st = status['st']
    code = os.WEXITSTATUS(st) if os.WIFEXITED(st) else None
    sig = signal.Signals(os.WTERMSIG(st)).name if os.WIFSIGNALED(st) else None
    stderr = result['stderr'] + (f'\n[harness: {note}]\n'.encode() if note else b'')
    # Whatever the run left behind (the launcher's exit helper must be gone with it): counted, not named, so
    # that a case whose program leaves a process in both starts still compares equal.
    left = strays()
    if left:
        stderr += f'\n[harness: {left} process(es) still there 2 s after the exit]\n'.encode()
    return {'stdout': result['stdout'], 'stderr': stderr, 'code': code, 'signal': sig, 'ready': ready,
            'to_first': None if result['first'] is None else result['first'] - start,
            'to_exit': status['at'] - start, 'to_ready': start - spawned_at}


def strays(wait_s=2.0):
    """Processes other than this one still running (zombies reaped on the way) after up to wait_s."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        left = 0
        for entry in os.listdir('/proc'):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f'/proc/{entry}/stat', 'rb') as f:
                    state = f.read().rsplit(b')', 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            left += state != b'Z'
        if left == 0 or time.monotonic() >= deadline:
            return left
        time.sleep(0.002)


def plain_run(c, options):
    work = options['work']
    empty_dir(work)
    copy_case(c['dir'], work)
    os.chdir(work)
    return run_once(PYTHON, ['python3', '-u', c['entry'], *c['args']], work, c['stdin'], c['merge'], None,
                    now, c['timeout_ms'])


def prestart_run(c, options):
    work = options['work']
    empty_dir(work)
    os.chdir(work)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)

    def on_ready():
        said = ours.recv(1)
        if said != b'R':
            ours.close()
            raise RuntimeError(f'the launcher said {said!r}, not R')
        # The request arrives: its files, then the hand-over.
        copy_case(c['dir'], work)
        message = b''.join(a.encode() + b'\0' for a in ['python3', '-u', c['entry'], *c['args']])
        t = now()
        ours.sendall(message)
        ours.close()
        return t

    return run_once(options['launcher'], [options['launcher'], 'python3', '-u'], work, c['stdin'], c['merge'],
                    theirs, on_ready, c['timeout_ms'])


def load_case(path):
    with open(os.path.join(path, 'case.json'), encoding='utf-8') as f:
        spec = json.load(f)
    return {'dir': path, 'name': os.path.basename(path), 'entry': spec.get('entry', 'main.py'),
            'args': spec.get('args', []), 'stdin': spec.get('stdin', '').encode(),
            'timeout_ms': spec.get('timeoutMs', 20000), 'merge': spec.get('mergeStderr') is True, 'expect': spec}


def diff(label, a, b, names=('plain', 'prestart')):
    """A short line diff: the common head and tail are left out, the differing middle is shown quoted."""
    x = a.decode('utf-8', 'replace').split('\n')
    y = b.decode('utf-8', 'replace').split('\n')
    head = 0
    while head < len(x) and head < len(y) and x[head] == y[head]:
        head += 1
    tail = 0
    room = min(len(x), len(y)) - head
    while tail < room and x[len(x) - 1 - tail] == y[len(y) - 1 - tail]:
        tail += 1
    lines = [f'  {label} differs from line {head + 1} (- {names[0]}, + {names[1]}):']
    lines += [f'    - {json.dumps(l, ensure_ascii=False)}' for l in x[head:len(x) - tail][:20]]
    lines += [f'    + {json.dumps(l, ensure_ascii=False)}' for l in y[head:len(y) - tail][:20]]
    return '\n'.join(lines)


def compare_starts(plain, pre):
    problems = []
    if not pre['ready']:
        problems.append(f"  the launcher never became ready; its stderr: {pre['stderr']!r}")
    if plain['stdout'] != pre['stdout']:
        problems.append(diff('stdout', plain['stdout'], pre['stdout']))
    if plain['stderr'] != pre['stderr']:
        problems.append(diff('stderr', plain['stderr'], pre['stderr']))
    if (plain['code'], plain['signal']) != (pre['code'], pre['signal']):
        problems.append(f"  exit: plain {plain['code']}/{plain['signal']}, prestart {pre['code']}/{pre['signal']}")
    return problems


def check_expectations(c, plain):
    """Where the plain start is not what case.json expects: so both starts being wrong alike is caught too."""
    problems = []
    e = c['expect']
    if 'stdout' in e and plain['stdout'] != e['stdout'].encode():
        problems.append(diff('plain stdout', e['stdout'].encode(), plain['stdout'], ('case.json', 'plain')))
    if 'stderr' in e and plain['stderr'] != e['stderr'].encode():
        problems.append(diff('plain stderr', e['stderr'].encode(), plain['stderr'], ('case.json', 'plain')))
    if 'exitCode' in e and plain['code'] != e['exitCode']:
        problems.append(f"  exit code: case.json {e['exitCode']}, plain {plain['code']}/{plain['signal']}")
    if 'signal' in e and plain['signal'] != e['signal']:
        problems.append(f"  signal: case.json {e['signal']}, plain {plain['code']}/{plain['signal']}")
    includes = e.get('stderrIncludes', [])
    for part in [includes] if isinstance(includes, str) else includes:
        if part not in plain['stderr'].decode('utf-8', 'replace'):
            problems.append(f'  plain stderr lacks {json.dumps(part, ensure_ascii=False)}')
    return problems


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float('nan')


def main():
    options = parse_args(sys.argv[1:])
    failed = 0
    for path in options['cases']:
        c = load_case(path)
        plain = plain_run(c, options)
        pre = prestart_run(c, options)
        differences = compare_starts(plain, pre)
        expectations = check_expectations(c, plain)
        problems = differences + expectations
        exit_ = plain['signal'] or plain['code']
        # A case.json "knownDifference" (why) lets the two starts differ: reported, not counted.
        known = c['expect'].get('knownDifference')
        verdict = 'pass' if not problems else 'known' if known and not expectations else 'FAIL'
        print(f"{verdict:<5} {c['name']}  (exit {exit_})" + (f': {known}' if verdict == 'known' else ''), flush=True)
        if problems:
            if verdict == 'FAIL':
                failed += 1
            print('\n'.join(problems), flush=True)
        if options['bench'] > 0:
            runs = {'plain': [], 'prestart': []}
            for _ in range(options['bench']):
                runs['plain'].append(plain_run(c, options))
                runs['prestart'].append(prestart_run(c, options))
            for mode, rs in runs.items():
                frm = 'spawn' if mode == 'plain' else 'hand-over'
                ready = '' if mode == 'plain' else f"; spawn -> hand-over {median([r['to_ready'] for r in rs]):.1f} ms"
                print(f"  {mode:<8} {frm} -> first byte {median([r['to_first'] for r in rs]):.1f} ms, "
                      f"-> exit {median([r['to_exit'] for r in rs]):.1f} ms (median of {len(rs)}){ready}", flush=True)
    empty_dir(options['work'])
    print(f"{len(options['cases']) - failed}/{len(options['cases'])} cases pass")
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
