// Programs that will not end by themselves: one sleeps far past its wall-clock limit, one ignores SIGTERM,
// SIGINT and SIGHUP (and every other catchable signal) while spinning, one waits forever on a blocking read of
// a pipe nobody writes to. What must hold: the agent ends each with SIGKILL at the wall-clock limit (`timeout`,
// wall time close to the limit, output written before the limit kept), without waiting for the program's
// cooperation, and the server's own deadline is never needed.
import { describe, expect, it } from 'vitest';
import { attack, executeMs, expectStatus, py, useSecurityServer } from './harness.js';

useSecurityServer();

const LIMIT = 1000;

function expectKilledAtLimit(run: { wallTimeMs: number; signal: string | null }, serverMs: number) {
  expect(run.signal).toBe('SIGKILL');
  expect(run.wallTimeMs).toBeGreaterThanOrEqual(LIMIT - 50);
  expect(run.wallTimeMs).toBeLessThan(LIMIT + 1000);
  // Well within the server's own deadline (limit + 3 s): the agent ended it, not the server.
  expect(serverMs).toBeLessThan(LIMIT + 2500);
}

describe('programs that run past the limit', () => {
  it('kills a program that sleeps for an hour', async () => {
    const code = 'import time\nprint("zzz", flush=True)\ntime.sleep(3600)\nprint("woke")';
    await attack(py(code, { limits: { timeoutMs: LIMIT } }), (outcome) => {
      const run = expectStatus(outcome, 'timeout');
      expect(run.stdout).toBe('zzz\n');
      expectKilledAtLimit(run, executeMs(outcome));
    });
  });

  it('kills a program that ignores SIGTERM, SIGINT, SIGHUP and every other catchable signal', async () => {
    const code = [
      'import signal',
      'for s in signal.Signals:',
      '    try: signal.signal(s, signal.SIG_IGN)',
      '    except (OSError, ValueError): pass',
      'print("deaf", flush=True)',
      'while True: pass',
    ].join('\n');
    await attack(py(code, { limits: { timeoutMs: LIMIT } }), (outcome) => {
      const run = expectStatus(outcome, 'timeout');
      expect(run.stdout).toBe('deaf\n');
      expectKilledAtLimit(run, executeMs(outcome));
    });
  });

  it('kills a program blocked forever in a read that never returns', async () => {
    const code = 'import os\nr, w = os.pipe()\nprint("blocking", flush=True)\nos.read(r, 1)';
    await attack(py(code, { limits: { timeoutMs: LIMIT } }), (outcome) => {
      const run = expectStatus(outcome, 'timeout');
      expect(run.stdout).toBe('blocking\n');
      expectKilledAtLimit(run, executeMs(outcome));
    });
  });
});
