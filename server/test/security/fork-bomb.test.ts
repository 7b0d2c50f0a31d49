// Fork bombs. The exploit forks as fast as it can (ignoring fork failures, children forking too) to exhaust
// the process table or starve the host. What must hold: --pids-limit caps the processes, the wall-clock limit
// ends the run with `timeout` in bounded time, the agent kills every process of the runner uid (even when the
// pids limit leaves no room for its kill helper), other runs and the server are unaffected, and nothing of the
// bomb is left on the host.
import { describe, expect, it } from 'vitest';
import { attack, c, executeMs, expectLimitStatus, py, useSecurityServer } from './harness.js';

useSecurityServer();

describe('fork bombs', () => {
  it('stops a Python fork bomb whose children keep forking', async () => {
    const code = ['import os', 'while True:', '    try: os.fork()', '    except OSError: pass'].join('\n');
    await attack(py(code, { limits: { timeoutMs: 1500 } }), (outcome) => {
      const run = expectLimitStatus(outcome, 'timeout');
      if (run) expect(run.signal).toBe('SIGKILL');
      expect(executeMs(outcome)).toBeLessThan(1500 + 3000);
    });
  });

  it('stops a Python fork bomb whose children detach into new sessions', async () => {
    const code = [
      'import os',
      'while True:',
      '    try:',
      '        if os.fork() == 0: os.setsid()',
      '    except OSError: pass',
    ].join('\n');
    await attack(py(code, { limits: { timeoutMs: 1500 } }), (outcome) => {
      expectLimitStatus(outcome, 'timeout');
      expect(executeMs(outcome)).toBeLessThan(1500 + 3000);
    });
  });

  it('stops a C fork bomb', async () => {
    const code = '#include <unistd.h>\nint main(void) { for (;;) fork(); }\n';
    await attack(c(code, { limits: { timeoutMs: 1500 } }), (outcome) => {
      const run = expectLimitStatus(outcome, 'timeout');
      if (run) expect(run.signal).toBe('SIGKILL');
      // Compiling takes a moment on top of the run's own limit.
      expect(executeMs(outcome)).toBeLessThan(1500 + 6000);
    });
  });

  it('stops a C fork bomb whose children setsid and ignore every catchable signal', async () => {
    const code = [
      '#include <signal.h>',
      '#include <unistd.h>',
      'int main(void) {',
      '  for (int s = 1; s < 32; s++) signal(s, SIG_IGN);',
      '  for (;;) if (fork() == 0) setsid();',
      '}',
    ].join('\n');
    await attack(c(code, { limits: { timeoutMs: 1500 } }), (outcome) => {
      expectLimitStatus(outcome, 'timeout');
      expect(executeMs(outcome)).toBeLessThan(1500 + 6000);
    });
  });
});
