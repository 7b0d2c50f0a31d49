import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../../src/create-server.js';
import { startTestServer } from '../helpers.js';

// X-API-KEY as Moodle sends it, and Jobe's overload answer (outcome 21 after a ~10 s wait for a slot).
const URL = '/jobe/index.php/restapi';
// The Jobe file cache goes to a temporary STATE_DIR, never to the repository's .state.
let stateDir: string;
beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'jobe-access-state-'));
});
afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

describe('Jobe with API keys', () => {
  let server: CodeRunnerServer;
  beforeAll(async () => {
    server = await startTestServer({
      LANGUAGES: 'python',
      POOL_SIZE: '1',
      API_KEYS: 'k-one',
      STATE_DIR: stateDir,
    });
  }, 120000);
  afterAll(async () => {
    await server?.app.close();
  });

  it.each([
    { comment: 'no key', headers: {}, status: 401 },
    { comment: 'a wrong key', headers: { 'X-API-KEY': 'nope' }, status: 401 },
    { comment: 'the key in upper-case X-API-KEY', headers: { 'X-API-KEY': 'k-one' }, status: 200 },
    { comment: 'the key in X-Api-Key', headers: { 'X-Api-Key': 'k-one' }, status: 200 },
  ])('answers $status to $comment', async ({ headers, status }) => {
    const res = await server.app.inject({ method: 'GET', url: `${URL}/languages`, headers });
    expect(res.statusCode).toBe(status);
  });
});

describe('Jobe overload', () => {
  let server: CodeRunnerServer;
  beforeAll(async () => {
    server = await startTestServer({
      LANGUAGES: 'python',
      POOL_SIZE: '1',
      RUN_MAX_CONCURRENT: '1',
      RUN_MAX_QUEUED: '0',
      STATE_DIR: stateDir,
    });
  }, 120000);
  afterAll(async () => {
    await server?.app.close();
  });

  it('answers outcome 21 after waiting about 10 s while the queue is full', async () => {
    const spec = (code: string) => ({
      run_spec: { language_id: 'python3', sourcecode: code, parameters: { cputime: 8 } },
    });
    const busy = server.app.inject({
      method: 'POST',
      url: `${URL}/runs`,
      payload: spec('import time\ntime.sleep(13)\nprint("slept")\n'),
    });
    await new Promise((r) => setTimeout(r, 1500));
    const started = Date.now();
    const over = await server.app.inject({ method: 'POST', url: `${URL}/runs`, payload: spec('print(1)\n') });
    const waited = Date.now() - started;
    expect(over.statusCode).toBe(200);
    expect(over.json()).toEqual({ run_id: null, outcome: 21, cmpinfo: '', stdout: '', stderr: '' });
    expect(waited).toBeGreaterThanOrEqual(9000);
    expect(waited).toBeLessThan(12000);
    expect((await busy).json()).toMatchObject({ outcome: 15, stdout: 'slept\n' });
  }, 60000);
});
