// Filling /dev/shm: a tmpfs private to the container whose size Docker would otherwise pick (64 MiB by default,
// unstated). What must hold: it is capped at SHM_MB (writes past it fail with ENOSPC), and what it holds is
// charged to the run's memory, so shared memory cannot be used to exceed the memory limit.
import { describe, expect, it } from 'vitest';
import { SHM_MB } from '../../src/sandbox/container-config.js';
import { attack, expectLimitStatus, expectStatus, py, useSecurityServer } from './harness.js';

useSecurityServer();

/**
 * Python that writes `mb` MiB to /dev/shm in 1 MiB chunks, 8 MiB per file (single files are capped by
 * RLIMIT_FSIZE), and leaves `done` (MiB written) and `why` (what stopped it) behind.
 */
function fillShm(mb: number): string[] {
  return [
    'import errno, os',
    'done, why = 0, "all"',
    `while done < ${mb} and why == "all":`,
    '    with open(f"/dev/shm/fill{done}", "wb", buffering=0) as f:',
    `        for _ in range(min(8, ${mb} - done)):`,
    '            try: f.write(b"x" * (1 << 20)); done += 1',
    '            except OSError as e: why = errno.errorcode[e.errno]; break',
  ];
}

describe('/dev/shm', () => {
  it(`is a tmpfs capped at ${SHM_MB} MiB`, async () => {
    const code = [
      ...fillShm(SHM_MB + 32),
      'st = os.statvfs("/dev/shm")',
      'print(done, why, st.f_blocks * st.f_frsize // (1 << 20))',
    ].join('\n');
    await attack(py(code, { limits: { memoryMb: 256 } }), (outcome) => {
      const [done, why, size] = expectStatus(outcome, 'ok').stdout.trim().split(' ');
      expect(why).toBe('ENOSPC');
      expect(Number(size)).toBe(SHM_MB);
      expect(Number(done)).toBeGreaterThanOrEqual(SHM_MB - 1);
      expect(Number(done)).toBeLessThanOrEqual(SHM_MB);
    });
  });

  it('counts against the run memory: a full /dev/shm leaves that much less to allocate', async () => {
    // 96 MiB in all: 60 MiB of /dev/shm plus 60 MiB of heap cannot fit, though either alone would.
    const code = [
      ...fillShm(60),
      'print("shm", done, why, flush=True)',
      'heap = bytearray(60 * (1 << 20))',
      `for i in range(0, len(heap), 4096): heap[i] = 1`,
      'print("heap allocated")',
    ].join('\n');
    await attack(py(code, { limits: { memoryMb: 96 } }), (outcome) => {
      const run = expectLimitStatus(outcome, 'memory_limit', 96);
      if (run) expect(run.stdout).not.toContain('heap allocated');
    });
  });

  it('leaves room for the same heap when /dev/shm is empty (the control)', async () => {
    const code = [
      'heap = bytearray(60 * (1 << 20))',
      `for i in range(0, len(heap), 4096): heap[i] = 1`,
      'print("heap allocated")',
    ].join('\n');
    await attack(py(code, { limits: { memoryMb: 96 } }), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('heap allocated\n');
    });
  });
});
