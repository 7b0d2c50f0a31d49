// The limits a request may set beyond the container's own (docs/api.md, "limits"): a CPU limit apart from the
// wall limit, the number of processes, the address space, the stack, output that is cut while the program goes
// on, and extra compiler and linker options. The compatibility adapters (Jobe's numprocs and memorylimit,
// Judge0's cpu_time_limit and max_processes_and_or_threads, Piston's run_cpu_time) rest on these, so each is
// checked with a real program on the real engine, under runc and under gVisor.
import { describe, expect, it } from 'vitest';
import { postRun } from '../helpers.js';
import { attack, c, expectLimitStatus, py, server, useSecurityServer } from './harness.js';

useSecurityServer();

/**
 * Jobe's testsubmit.py "C program controlled forking", with children that wait rather than spin (gVisor's CPU
 * clock reads 19 spinning children as ten times the wall time): children that never end, a parent that counts.
 */
const FORKS = [
  '#include <stdio.h>',
  '#include <unistd.h>',
  'int main(void) {',
  '  int ok = 0, failed = 0;',
  '  for (int i = 0; i < 1000; i++) {',
  '    pid_t p = fork();',
  '    if (p == -1) failed++;',
  '    else if (p == 0) for (;;) pause();',
  '    else ok++;',
  '  }',
  '  printf("%d %d\\n", ok, failed);',
  '}',
].join('\n');

describe('limits a request sets', () => {
  it('limits.processes caps the processes of the program, its main process included', async () => {
    await attack(c(FORKS, { limits: { processes: 20, timeoutMs: 5000 } }), (outcome) => {
      expect(outcome.result?.status).toBe('ok');
      const [ok, failed] = (outcome.result?.run?.stdout ?? '').trim().split(' ').map(Number);
      expect(ok).toBe(19);
      expect(failed).toBe(981);
    });
  });

  it('limits.addressSpaceMb makes a large malloc fail instead of the program being killed', async () => {
    const code = [
      '#include <stdio.h>',
      '#include <stdlib.h>',
      'int main(void) { puts(malloc(2000000000) ? "allocated" : "refused"); }',
    ].join('\n');
    await attack(c(code, { limits: { addressSpaceMb: 200 } }), (outcome) => {
      expect(outcome.result).toMatchObject({ status: 'ok', run: { stdout: 'refused\n' } });
    });
    const result = await postRun(server().app, c(code));
    expect(result.json<{ run: { stdout: string } }>().run.stdout).toBe('allocated\n');
  });

  it('limits.addressSpaceMb gives Python a MemoryError', async () => {
    await attack(py('x = bytearray(500 * 1024 * 1024)', { limits: { addressSpaceMb: 200 } }), (outcome) => {
      expect(outcome.result?.status).toBe('runtime_error');
      expect(outcome.result?.run?.stderr).toContain('MemoryError');
    });
  });

  it('limits.cpuTimeMs ends a busy program long before its wall limit, and leaves a sleeper alone', async () => {
    await attack(py('while True: pass', { limits: { cpuTimeMs: 500, timeoutMs: 20000 } }), (outcome) => {
      const run = expectLimitStatus(outcome, 'timeout');
      expect(run?.wallTimeMs ?? 0).toBeLessThan(10000);
    });
    await attack(
      py('import time\ntime.sleep(1.5)\nprint("slept")', { limits: { cpuTimeMs: 500, timeoutMs: 5000 } }),
      (outcome) => {
        expect(outcome.result).toMatchObject({ status: 'ok', run: { stdout: 'slept\n' } });
      },
    );
  });

  it('limits.stackKb bounds the main stack', async () => {
    const code = [
      '#include <stdio.h>',
      '#include <string.h>',
      'static int deep(int n) { char pad[1024]; memset(pad, n, sizeof pad); return n ? deep(n - 1) + pad[5] % 2 : 0; }',
      'int main(void) { printf("%d\\n", deep(4000)); }',
    ].join('\n');
    await attack(c(code, { limits: { stackKb: 1024 }, compileArgs: ['-O0'] }), (outcome) => {
      expect(outcome.result?.status).toBe('runtime_error');
      expect(outcome.result?.run?.signal).toBe('SIGSEGV');
    });
    const roomy = await postRun(server().app, c(code, { limits: { stackKb: 16384 }, compileArgs: ['-O0'] }));
    expect(roomy.json<{ status: string }>().status).toBe('ok');
  });

  it('limits.outputOverflow "truncate" keeps the first outputKb and lets the program finish', async () => {
    const code = [
      'import sys',
      'for _ in range(2000): sys.stdout.write("x" * 1000)',
      'sys.stdout.flush()',
      'print("finished", file=sys.stderr)',
    ].join('\n');
    await attack(py(code, { limits: { outputKb: 1, outputOverflow: 'truncate' } }), (outcome) => {
      expect(outcome.result).toMatchObject({
        status: 'ok',
        run: { stdout: 'x'.repeat(1024), stderr: 'finished\n', exitCode: 0, stdoutTruncated: true },
      });
    });
    await attack(py(code, { limits: { outputKb: 1 } }), (outcome) => {
      expectLimitStatus(outcome, 'output_limit');
    });
  });

  it('compileArgs, linkArgs and interpreterArgs reach the tools; a runtime without a place for them refuses them', async () => {
    const code = [
      '#include <stdio.h>',
      '#include <math.h>',
      'int main(void) { printf("%s %.0f\\n", GREETING, sqrt(81.0)); }',
    ].join('\n');
    await attack(c(code, { compileArgs: ['-DGREETING="hi"', '-O0'], linkArgs: ['-lm'] }), (outcome) => {
      expect(outcome.result).toMatchObject({ status: 'ok', run: { stdout: 'hi 9\n' } });
    });
    await attack(c(code, { compileArgs: ['std=c89', '-DGREETING=""'] }), (outcome) => {
      expect(outcome.result?.status).toBe('compile_error');
      expect(outcome.result?.compile?.stderr).toContain('std=c89: No such file or directory');
    });
    await attack(
      py('import warnings\nwarnings.warn("careful")', { interpreterArgs: ['-W', 'error'] }),
      (outcome) => {
        expect(outcome.result?.status).toBe('runtime_error');
        expect(outcome.result?.run?.stderr).toContain('UserWarning: careful');
      },
    );
    const refused = await postRun(server().app, py('print(1)', { compileArgs: ['-O'] }));
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'CR_ERR_RUN_EXTRA_ARGS_UNSUPPORTED' });
    expect(refused.json<{ message: string }>().message).toContain('compileArgs is not accepted for python');
  });
});
