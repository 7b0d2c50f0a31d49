// Daemons that try to outlive their run: double-fork + setsid daemons that would print or write a file later,
// daemons that close their stdio so the run's pipes close at once, daemons that ignore every signal, rename
// themselves like the agent and keep re-forking, and plain state (files in /work, /tmp, /dev/shm) left for the
// next run. What must hold: when the main process ends, the agent kills every process of the runner uid, so
// the run ends `ok` at once without the daemon's late output; the host shows no runner process afterwards; and
// a later run, in a fresh container, sees neither the daemon nor anything it or the earlier run wrote.
import { describe, expect, it } from 'vitest';
import {
  attack,
  executeMs,
  expectNoRunnerProcesses,
  expectStatus,
  GVISOR,
  probeFreshContainer,
  py,
  runnerProcesses,
  send,
  useSecurityServer,
} from './harness.js';

useSecurityServer();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('daemons and leftovers', () => {
  // A check of the harness itself: the host process check does see a running program. Under gVisor programs
  // run inside the sandbox kernel and are never host processes of the runner uid, so there is nothing to see.
  it.runIf(!GVISOR)('the host process check sees a program while it runs', async () => {
    const running = send(
      py('import time\nprint("up", flush=True)\ntime.sleep(30)', { limits: { timeoutMs: 2000 } }),
    );
    let seen: string[] = [];
    for (let i = 0; i < 30 && seen.length === 0; i++) {
      await sleep(50);
      seen = await runnerProcesses();
    }
    expect(seen.join('\n')).toContain('python3');
    expectStatus(await running, 'timeout');
    await expectNoRunnerProcesses();
  });

  it('kills a double-forked setsid daemon that would print and write a file later', async () => {
    const code = [
      'import os, time',
      'if os.fork() == 0:',
      '    os.setsid()',
      '    if os.fork() == 0:',
      '        time.sleep(1)',
      '        open("/tmp/daemon-was-here", "w").write("x")',
      '        open("/work/daemon-was-here", "w").write("x")',
      '        print("late output from the daemon", flush=True)',
      '        time.sleep(30)',
      '        os._exit(0)',
      '    os._exit(0)',
      'print("parent done", flush=True)',
    ].join('\n');
    await attack(py(code, { limits: { timeoutMs: 5000 } }), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      expect(run.stdout).toBe('parent done\n');
      expect(executeMs(outcome)).toBeLessThan(1000);
    });
    // Past the moment the daemon would have woken up, a later run sees no trace of it.
    await sleep(1200);
    expect(await probeFreshContainer()).toEqual({ processes: [], files: [] });
    await expectNoRunnerProcesses();
  });

  it('kills a daemon that closed its stdio so the pipes end at once', async () => {
    const code = [
      'import os, time',
      'if os.fork() == 0:',
      '    for fd in (0, 1, 2): os.close(fd)',
      '    os.setsid()',
      '    if os.fork() == 0:',
      '        time.sleep(30)',
      '    os._exit(0)',
      'print("parent done", flush=True)',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      expect(run.stdout).toBe('parent done\n');
      expect(executeMs(outcome)).toBeLessThan(1000);
    });
  });

  it('kills a respawning daemon that ignores signals and names itself like the agent', async () => {
    const code = [
      'import ctypes, os, signal, time',
      'libc = ctypes.CDLL(None)',
      'def daemon():',
      '    for s in signal.Signals:',
      '        try: signal.signal(s, signal.SIG_IGN)',
      '        except (OSError, ValueError): pass',
      '    libc.prctl(15, b"coderunner-agen", 0, 0, 0)  # PR_SET_NAME',
      '    while True:',
      '        try:',
      '            if os.fork() == 0:',
      '                os.setsid()',
      '                continue  # the child carries on respawning',
      '            os._exit(0)',
      '        except OSError:',
      '            time.sleep(0.01)',
      'if os.fork() == 0:',
      '    daemon()',
      'time.sleep(0.3)',
      'print("parent done", flush=True)',
    ].join('\n');
    await attack(py(code, { limits: { timeoutMs: 5000 } }), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      expect(run.stdout).toBe('parent done\n');
      expect(executeMs(outcome)).toBeLessThan(2000);
    });
    expect((await probeFreshContainer()).processes).toEqual([]);
  });

  it('leaves nothing of one run for the next: /work, /tmp and /dev/shm are fresh', async () => {
    const code = [
      'for p in ("/work/left.txt", "/tmp/left.txt", "/dev/shm/left.txt"):',
      '    open(p, "w").write("secret of an earlier run")',
      'print("planted")',
    ].join('\n');
    await attack(py(code), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('planted\n');
    });
    expect(await probeFreshContainer()).toEqual({ processes: [], files: [] });
  });
});
