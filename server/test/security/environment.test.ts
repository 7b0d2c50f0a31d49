// Server secrets in the program's environment. This test process (the server's process) sets a distinctive
// variable before the server starts, as a deployment would hold API keys or credentials. The exploit looks for
// it everywhere it might leak: its own environment, /proc/self/environ, the agent's /proc/1/environ, and every
// other readable /proc/*/environ and cmdline. What must hold: the program's environment is exactly the runtime's
// (PATH, HOME, LANG, TMPDIR and runtime.json's env), and neither the variable's name nor its value is visible
// anywhere inside the sandbox.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/create-server.js';
import { attack, expectStatus, py, useSecurityServer } from './harness.js';

const CANARY_NAME = 'CODERUNNER_SECURITY_CANARY';
const CANARY_VALUE = `canary-${randomUUID()}`;
// Set before useSecurityServer's beforeAll starts the server, so the server process carries it.
process.env[CANARY_NAME] = CANARY_VALUE;

useSecurityServer();

const pythonEnv = Object.keys(
  (JSON.parse(readFileSync(`${REPO_ROOT}/runtimes/python/runtime.json`, 'utf8')) as { env: object }).env,
);
const EXPECTED_KEYS = ['HOME', 'LANG', 'PATH', 'TMPDIR', ...pythonEnv].sort();

describe('server environment', () => {
  it('is not visible in the environment or anywhere under /proc', async () => {
    expect(process.env[CANARY_NAME]).toBe(CANARY_VALUE);
    const code = [
      'import json, os',
      'found = {}',
      'for p in os.listdir("/proc"):',
      '    for f in ("environ", "cmdline"):',
      '        try: found[f"/proc/{p}/{f}"] = open(f"/proc/{p}/{f}", "rb").read().decode("utf-8", "replace")',
      '        except OSError: pass',
      'print(json.dumps({"keys": sorted(os.environ), "env": dict(os.environ), "proc": found}))',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      const seen = JSON.parse(run.stdout) as { keys: string[]; proc: Record<string, string> };
      expect(seen.keys).toEqual(EXPECTED_KEYS);
      expect(run.stdout).not.toContain(CANARY_NAME);
      expect(run.stdout).not.toContain(CANARY_VALUE);
      // The program did read its own environ, so the search was not empty-handed.
      expect(Object.keys(seen.proc)).toContain('/proc/self/environ');
    });
  });
});
