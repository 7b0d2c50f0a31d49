// Output floods: endless stdout, endless stderr, both at once from several processes, one huge line without
// a newline, and a storm of one-byte writes (each one an agent frame). What must hold: past the per-stream cap
// (`limits.outputKb`) the program is killed with `output_limit`, what came back is exactly the cap (marked
// truncated), the reply stays small, the run ends in bounded time, and the server and other runs are unaffected.
import { describe, expect, it } from 'vitest';
import { attack, executeMs, expectStatus, GVISOR, py, useSecurityServer } from './harness.js';

useSecurityServer();

const CAP_KB = 64;

describe('output floods', () => {
  it('caps an endless stdout flood', async () => {
    const code = 'import sys\nwhile True: sys.stdout.write("x" * 65536)';
    await attack(py(code, { limits: { outputKb: CAP_KB, timeoutMs: 3000 } }), (outcome) => {
      const run = expectStatus(outcome, 'output_limit');
      expect(run.stdout).toBe('x'.repeat(CAP_KB * 1024));
      expect(run.stdoutTruncated).toBe(true);
      expect(run.signal).toBe('SIGKILL');
      expect(executeMs(outcome)).toBeLessThan(3000);
    });
  });

  it('caps an endless stderr flood', async () => {
    const code = 'import sys\nwhile True: sys.stderr.write("e" * 4096)';
    await attack(py(code, { limits: { outputKb: CAP_KB, timeoutMs: 3000 } }), (outcome) => {
      const run = expectStatus(outcome, 'output_limit');
      expect(run.stderr).toBe('e'.repeat(CAP_KB * 1024));
      expect(run.stderrTruncated).toBe(true);
      expect(run.stdout).toBe('');
      expect(executeMs(outcome)).toBeLessThan(3000);
    });
  });

  it('caps both streams flooded at once by four processes', async () => {
    const code = [
      'import os',
      'for i in range(3):',
      '    if os.fork() == 0: break',
      'while True:',
      '    os.write(1, b"o" * 8192)',
      '    os.write(2, b"e" * 8192)',
    ].join('\n');
    await attack(py(code, { limits: { outputKb: CAP_KB, timeoutMs: 3000 } }), (outcome) => {
      const run = expectStatus(outcome, 'output_limit');
      // At least one stream reached the cap and stopped the run; neither ever exceeds it.
      expect(run.stdoutTruncated || run.stderrTruncated).toBe(true);
      expect(run.stdout.length).toBeLessThanOrEqual(CAP_KB * 1024);
      expect(run.stderr.length).toBeLessThanOrEqual(CAP_KB * 1024);
      expect(run.stdout).toMatch(/^o*$/);
      expect(run.stderr).toMatch(/^e*$/);
      expect(executeMs(outcome)).toBeLessThan(3000);
    });
  });

  it('caps one huge line without a newline', async () => {
    const code = 'import sys\nsys.stdout.write("L" * (64 * 1024 * 1024))\nsys.stdout.flush()';
    await attack(py(code, { limits: { timeoutMs: 5000 } }), (outcome) => {
      // The default cap (RUN_DEFAULT_OUTPUT_KB, 1 MiB) applies.
      const run = expectStatus(outcome, 'output_limit');
      expect(run.stdout.length).toBe(1024 * 1024);
      expect(run.stdout).toMatch(/^L+$/);
      expect(run.stdoutTruncated).toBe(true);
      expect(executeMs(outcome)).toBeLessThan(5000);
    });
  });

  it('caps a storm of one-byte writes in bounded time', async () => {
    // Every write is a system call, and under gVisor a slow one: give the storm room to reach the cap there.
    const limitMs = GVISOR ? 20000 : 5000;
    const code = 'import os\nwhile True: os.write(1, b"z")';
    await attack(py(code, { limits: { outputKb: CAP_KB, timeoutMs: limitMs } }), (outcome) => {
      const run = expectStatus(outcome, 'output_limit');
      expect(run.stdout).toBe('z'.repeat(CAP_KB * 1024));
      expect(executeMs(outcome)).toBeLessThan(limitMs);
    });
  });
});
