// Memory bombs. The exploit allocates far more than its memory limit (256 MiB here): in one big allocation
// that it then writes, in slow steady growth, from C, and after trying to make the OOM killer pick the agent
// instead of itself. What must hold: the container's cgroup (memory = memory + swap) stops it, the run ends as
// `memory_limit` with SIGKILL in bounded time, the agent survives to report it, and other runs, the server and
// the host are unaffected.
import { describe, expect, it } from 'vitest';
import {
  attack,
  c,
  executeMs,
  expectLimitStatus,
  expectStatus,
  GVISOR,
  py,
  useSecurityServer,
} from './harness.js';

useSecurityServer();

describe('memory bombs', () => {
  it('stops one big allocation that is written page by page', async () => {
    const code = [
      'b = bytearray(1024 * 1024 * 1024)',
      'for i in range(0, len(b), 4096): b[i] = 1',
      'print("survived")',
    ].join('\n');
    await attack(py(code, { limits: { timeoutMs: 5000 } }), (outcome) => {
      const run = expectLimitStatus(outcome, 'memory_limit', 256);
      if (run) {
        expect(run.signal).toBe('SIGKILL');
        expect(run.stdout).toBe('');
        // The peak it reached is about the limit, not the gigabyte it asked for.
        expect(run.memoryKb).toBeLessThan(300 * 1024);
      }
      expect(executeMs(outcome)).toBeLessThan(5000);
    });
  });

  it('stops slow growth before the wall-clock limit', async () => {
    const code = [
      'import time',
      'chunks = []',
      'for i in range(10000):',
      '    chunks.append(b"y" * (2 * 1024 * 1024))',
      '    time.sleep(0.01)',
      'print("survived")',
    ].join('\n');
    await attack(py(code, { limits: { timeoutMs: 8000 } }), (outcome) => {
      const run = expectLimitStatus(outcome, 'memory_limit', 256);
      // Under gVisor the allocation may fail instead (a non-zero exit, see expectLimitStatus).
      if (run && !(GVISOR && run.signal === null && (run.exitCode ?? 0) !== 0))
        expect(run.signal).toBe('SIGKILL');
      expect(executeMs(outcome)).toBeLessThan(8000);
    });
  });

  it('cannot lower its OOM score to make the kernel pick the agent, and is the one killed', async () => {
    const code = [
      'import os',
      'try:',
      '    fd = os.open("/proc/self/oom_score_adj", os.O_WRONLY)',
      '    os.write(fd, b"-1000")',
      '    print("lowered", flush=True)',
      'except OSError as e:',
      '    print("refused", e.errno, flush=True)',
      'print("score", open("/proc/self/oom_score_adj").read().strip(), flush=True)',
      'hog = []',
      'while True: hog.append(bytearray(b"z" * (8 * 1024 * 1024)))',
    ].join('\n');
    await attack(py(code, { limits: { timeoutMs: 5000 } }), (outcome) => {
      const run = expectLimitStatus(outcome, 'memory_limit', 256);
      if (run && !GVISOR) {
        expect(run.stdout).toMatch(/^refused 13\nscore 1000\n$/);
        expect(run.signal).toBe('SIGKILL');
      }
      // Under gVisor oom_score_adj is the sandbox kernel's own bookkeeping: either the host's OOM killer ends the
      // whole sandbox (memory_limit from the engine's record, SIGKILL) or the sandbox kernel refuses the memory
      // and the program dies of it (memory_limit from its own OOM counter, a non-zero exit). Never a clean exit.
      if (run && GVISOR)
        expect(run.signal === 'SIGKILL' || (run.exitCode ?? 0) !== 0, JSON.stringify(run)).toBe(true);
    });
  });

  it('stops a C program that mallocs a gigabyte and writes every page', async () => {
    const code = [
      '#include <stdio.h>',
      '#include <stdlib.h>',
      'int main(void) {',
      '  size_t n = (size_t)1 << 30;',
      '  volatile char *p = malloc(n);',
      '  if (!p) { puts("malloc failed"); return 3; }',
      '  for (size_t i = 0; i < n; i += 4096) p[i] = 1;', // volatile: the optimiser must keep every write
      '  puts("survived");',
      '}',
    ].join('\n');
    await attack(c(code, { limits: { timeoutMs: 5000 } }), (outcome) => {
      const run = expectStatus(outcome, 'memory_limit');
      expect(run.signal).toBe('SIGKILL');
      expect(run.stdout).toBe('');
    });
  });
});
