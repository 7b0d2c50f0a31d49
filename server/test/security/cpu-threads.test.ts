// CPU hogs. The exploit spins on every core it can get: many pthreads in C, many forked processes in
// Python, and threads that block every catchable signal. What must hold: the container's CPU quota (1 CPU)
// leaves the rest of the machine to other runs, the wall-clock/CPU limits end the run with `timeout` close to
// its limit, and every thread and process is killed.
import { describe, expect, it } from 'vitest';
import { attack, c, executeMs, expectStatus, GVISOR, py, useSecurityServer } from './harness.js';

useSecurityServer();

describe('CPU-spinning threads and processes', () => {
  it('stops 32 spinning pthreads', async () => {
    const code = [
      '#include <pthread.h>',
      '#include <stdio.h>',
      'static void *spin(void *arg) { (void)arg; for (volatile unsigned long x = 0;; x++) {} return 0; }',
      'int main(void) {',
      '  pthread_t t[32]; int n = 0;',
      '  for (int i = 0; i < 32; i++) if (pthread_create(&t[i], 0, spin, 0) == 0) n++;',
      '  printf("%d threads\\n", n); fflush(stdout);',
      '  spin(0);',
      '}',
    ].join('\n');
    await attack(c(code, { limits: { timeoutMs: 1500 } }), (outcome) => {
      const run = expectStatus(outcome, 'timeout');
      // Under gVisor (ptrace platform) 32 spinning threads can starve the sandbox kernel before the printf is
      // delivered: the limit still holds; only the early output may be lost.
      if (GVISOR) expect(['', '32 threads\n']).toContain(run.stdout);
      else expect(run.stdout).toBe('32 threads\n');
      // Killed at the wall limit, or by RLIMIT_CPU first when 32 threads burn CPU time faster than wall time.
      expect(['SIGKILL', 'SIGXCPU']).toContain(run.signal);
      expect(run.wallTimeMs).toBeLessThan(1500 + 1000);
    });
  });

  it('stops eight spinning Python processes', async () => {
    const code = [
      'import os',
      'for i in range(7):',
      '    if os.fork() == 0: break',
      'os.write(1, b"spinning\\n")  # one write: lines of different processes cannot interleave',
      'while True: pass',
    ].join('\n');
    await attack(py(code, { limits: { timeoutMs: 1500 } }), (outcome) => {
      const run = expectStatus(outcome, 'timeout');
      // Each process prints once it is first scheduled; on a busy machine a late one may not have been yet.
      expect(run.stdout).toMatch(/^(spinning\n){1,8}$/);
      expect(run.wallTimeMs).toBeLessThan(1500 + 1000);
      expect(executeMs(outcome)).toBeLessThan(1500 + 3000);
    });
  });

  it('stops spinning Python threads that block every catchable signal', async () => {
    const code = [
      'import signal, threading',
      'signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})',
      'def spin():',
      '    while True: pass',
      'print("spinning", flush=True)',
      'for i in range(16): threading.Thread(target=spin, daemon=True).start()',
      'spin()',
    ].join('\n');
    await attack(py(code, { limits: { timeoutMs: 1500 } }), (outcome) => {
      const run = expectStatus(outcome, 'timeout');
      expect(run.stdout).toBe('spinning\n');
      expect(run.signal).toBe('SIGKILL');
      expect(executeMs(outcome)).toBeLessThan(1500 + 3000);
    });
  });
});
