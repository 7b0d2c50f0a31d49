// The run store and asynchronous runs (docs/api.md): every run is recorded; GET /api/v1/runs/{id} reads it;
// ?wait=false answers 202 at once; records survive a restart in STATE_DIR/runs.sqlite; a key sees only its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../src/create-server.js';
import { single, startTestServer, waitFor } from './helpers.js';

const stateDir = mkdtempSync(join(tmpdir(), 'run-store-'));
const KEYS = { a: 'key-a-for-store', b: 'key-b-for-store' };
let server: CodeRunnerServer;

const env = {
  LANGUAGES: 'python',
  POOL_SIZE: '1',
  RUN_STORE: 'sqlite',
  STATE_DIR: stateDir,
  API_KEYS: `${KEYS.a},${KEYS.b}`,
};

beforeAll(async () => {
  server = await startTestServer(env);
}, 240000);

afterAll(async () => {
  await server?.app.close();
  rmSync(stateDir, { recursive: true, force: true });
});

function post(body: object, key: string, url = '/api/v1/runs') {
  return server.app.inject({ method: 'POST', url, payload: body, headers: { 'x-api-key': key } });
}
function get(id: string, key: string) {
  return server.app.inject({ method: 'GET', url: `/api/v1/runs/${id}`, headers: { 'x-api-key': key } });
}

describe('run store', () => {
  it('records a waited-for run under its id, with a request summary and no source code', async () => {
    const res = await post(single('python', 'main.py', 'print("stored")'), KEYS.a);
    expect(res.statusCode).toBe(200);
    const { id } = res.json<{ id: string }>();
    const record = await get(id, KEYS.a);
    expect(record.statusCode).toBe(200);
    expect(record.json()).toMatchObject({
      id,
      status: 'finished',
      language: 'python',
      request: { files: 1, tests: 0 },
      result: { id, status: 'ok', run: { stdout: 'stored\n' } },
      error: null,
    });
    expect(record.body).not.toContain('print(');
    // Another key does not see it.
    expect((await get(id, KEYS.b)).statusCode).toBe(404);
  });

  it('answers ?wait=false with 202 at once; polling gives queued or running, then the result', async () => {
    const res = await post(
      single('python', 'main.py', 'import time\ntime.sleep(0.5)\nprint("later")'),
      KEYS.a,
      '/api/v1/runs?wait=false',
    );
    expect(res.statusCode).toBe(202);
    const { id, status } = res.json<{ id: string; status: string }>();
    expect(status).toBe('queued');
    expect(['queued', 'running']).toContain((await get(id, KEYS.a)).json<{ status: string }>().status);
    await waitFor(
      async () => (await get(id, KEYS.a)).json<{ status: string }>().status === 'finished',
      20000,
    );
    expect((await get(id, KEYS.a)).json()).toMatchObject({ result: { run: { stdout: 'later\n' } } });
  });

  it('records a refused run with its error, and answers clear errors', async () => {
    const res = await post(
      single('python', 'main.py', 'print(1)', { limits: { timeoutMs: 10 ** 9 } }),
      KEYS.a,
      '/api/v1/runs?wait=false',
    );
    expect(res.statusCode).toBe(400);
    expect((await get('no-such-run', KEYS.a)).json()).toMatchObject({ code: 'CR_ERR_RUN_NOT_FOUND' });
    const bad = await post(single('python', 'main.py', 'print(1)'), KEYS.a, '/api/v1/runs?wait=maybe');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'CR_ERR_RUN_BAD_WAIT' });
  });

  it('keeps its records across a restart', async () => {
    const { id } = (await post(single('python', 'main.py', 'print("kept")'), KEYS.b)).json<{ id: string }>();
    await server.app.close();
    server = await startTestServer(env);
    expect((await get(id, KEYS.b)).json()).toMatchObject({
      status: 'finished',
      result: { run: { stdout: 'kept\n' } },
    });
  }, 120000);
});
