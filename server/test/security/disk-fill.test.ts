// Disk fills. The exploit writes until something stops it: many 8 MiB files in /work, the same in /tmp, and
// one endless file. /work and /tmp are tmpfs mounts capped at SANDBOX_WORKDIR_MB / SANDBOX_TMP_MB (256 MiB
// each) whose pages count against the container's memory (256 MiB), and RLIMIT_FSIZE caps one file at
// RUN_FILE_SIZE_MB (32 MiB). What must hold: the fill ends in bounded time with a limit status (tmpfs full:
// ENOSPC and `runtime_error`/`ok`; memory full first: `memory_limit`; file too big: `runtime_error` with
// EFBIG), nothing is written to the host's disk, the agent survives to report it, and the next run is fine.
import { describe, expect, it } from 'vitest';
import {
  attack,
  executeMs,
  expectLimitStatus,
  expectStatus,
  probeFreshContainer,
  py,
  useSecurityServer,
} from './harness.js';

useSecurityServer();

function fill(dir: string) {
  return [
    'import os',
    'written = 0',
    'try:',
    '    for i in range(1000):',
    `        with open("${dir}/fill-%d" % i, "wb") as f: f.write(b"a" * (8 << 20))`,
    '        written += 8',
    'except OSError as e:',
    '    print("stopped", e.errno, written, flush=True)',
    '    raise SystemExit(3)',
    'print("wrote everything", written)',
  ].join('\n');
}

describe('disk fills', () => {
  for (const dir of ['/work', '/tmp']) {
    it(`stops a fill of ${dir} and the next run is fine`, async () => {
      await attack(py(fill(dir), { limits: { timeoutMs: 10000 } }), (outcome) => {
        const result = outcome.result;
        // With these defaults the memory limit (which the tmpfs pages count against) is reached first; with a
        // larger memory limit the tmpfs size cap answers ENOSPC (28). Either way the fill is bounded.
        if (result?.status === 'runtime_error') {
          expect(result.run?.stdout).toMatch(/^stopped 28 \d+\n$/);
        } else {
          // Under gVisor the filled tmpfs pushes the whole sandbox past its cgroup limit (see expectLimitStatus).
          expectLimitStatus(outcome, 'memory_limit');
        }
        expect(result?.run?.stdout ?? '').not.toContain('wrote everything');
        expect(executeMs(outcome)).toBeLessThan(10000);
      });
      expect(await probeFreshContainer()).toEqual({ processes: [], files: [] });
    });
  }

  it('stops one endless file at the file-size limit (EFBIG)', async () => {
    const code = [
      'import os',
      'f = open("/work/big", "wb")',
      'n = 0',
      'try:',
      '    while True: f.write(b"a" * (1 << 20)); f.flush(); n += 1',
      'except OSError as e:',
      '    print("stopped", e.errno, n, flush=True)',
      '    raise SystemExit(3)',
    ].join('\n');
    await attack(py(code, { limits: { timeoutMs: 5000 } }), (outcome) => {
      const run = expectStatus(outcome, 'runtime_error');
      // SIGXFSZ is ignored by Python, so the write fails with EFBIG (27) at RUN_FILE_SIZE_MB (32 MiB).
      expect(run.stdout).toBe('stopped 27 32\n');
      expect(run.exitCode).toBe(3);
    });
  });
});
