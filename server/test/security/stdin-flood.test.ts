// Stdin floods: the largest stdin a request can carry (4 MiB, under the 5 MiB body cap) sent to a program
// that never reads it, to one that reads it all, to one that never reads it and never ends, and to one that
// closes its stdin at once. What must hold: the agent feeds stdin without blocking on a program that does not
// read (it is non-blocking and dropped when the program ends or closes it), every run ends in bounded time with
// the status it earned, the reader gets every byte, and the server stays healthy.
import { describe, expect, it } from 'vitest';
import { attack, executeMs, expectStatus, py, useSecurityServer } from './harness.js';

useSecurityServer();

const STDIN = 'stdin flood line\n'.repeat((4 * 1024 * 1024) / 17);

describe('stdin floods', () => {
  it('finishes a program that never reads its 4 MiB stdin', async () => {
    const code = 'import time\ntime.sleep(0.2)\nprint("never read it")';
    await attack(py(code, { stdin: STDIN }), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('never read it\n');
      expect(executeMs(outcome)).toBeLessThan(3000);
    });
  });

  it('delivers all 4 MiB to a program that reads everything', async () => {
    const code =
      'import hashlib, sys\ndata = sys.stdin.buffer.read()\nprint(len(data), hashlib.sha256(data).hexdigest())';
    await attack(py(code, { stdin: STDIN }), async (outcome) => {
      const { createHash } = await import('node:crypto');
      const digest = createHash('sha256').update(STDIN).digest('hex');
      expect(expectStatus(outcome, 'ok').stdout).toBe(`${Buffer.byteLength(STDIN)} ${digest}\n`);
      expect(executeMs(outcome)).toBeLessThan(3000);
    });
  });

  it('times out a program that never reads its stdin and never ends', async () => {
    const code = 'import time\nwhile True: time.sleep(1)';
    await attack(py(code, { stdin: STDIN, limits: { timeoutMs: 1000 } }), (outcome) => {
      const run = expectStatus(outcome, 'timeout');
      expect(run.wallTimeMs).toBeLessThan(2000);
      expect(executeMs(outcome)).toBeLessThan(3500);
    });
  });

  it('finishes a program that closes its stdin at once and keeps working', async () => {
    const code = 'import os, time\nos.close(0)\ntime.sleep(0.2)\nprint("closed stdin")';
    await attack(py(code, { stdin: STDIN }), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('closed stdin\n');
      expect(executeMs(outcome)).toBeLessThan(3000);
    });
  });
});
