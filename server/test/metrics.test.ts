// GET /metrics (Prometheus, prom-client): runs by language and status, phase latencies, queue and pool gauges;
// behind the API's access control when keys are set, whatever the URL's spelling. Real server, real Docker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../src/create-server.js';
import { httpText, rawHttp } from './auth-http.js';
import { postRun, single, startTestServer, waitFor } from './helpers.js';

const KEY = 'metrics-test-key';
let open: CodeRunnerServer;
let keyed: CodeRunnerServer;
let keyedPort: number;

beforeAll(async () => {
  open = await startTestServer({
    LANGUAGES: 'python',
    POOL_SIZE: '1',
    RUN_MAX_CONCURRENT: '1',
    RUN_MAX_QUEUED: '0',
  });
  keyed = await startTestServer({ LANGUAGES: 'python', POOL_SIZE: '1', API_KEYS: KEY });
  const address = await keyed.app.listen({ port: 0, host: '127.0.0.1' });
  keyedPort = Number(new URL(address).port);
}, 240000);

afterAll(async () => {
  await open?.app.close();
  await keyed?.app.close();
});

function sample(text: string, name: string, labels: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : null;
}

describe('metrics', () => {
  it('counts runs by language and status and times their phases', async () => {
    const before = await open.app.inject({ method: 'GET', url: '/metrics' });
    expect(before.statusCode).toBe(200);
    expect(before.headers['content-type']).toContain('text/plain');
    const okBefore = sample(before.body, 'coderunner_runs_total', 'language="python",status="ok"') ?? 0;
    expect((await postRun(open.app, single('python', 'main.py', 'print(1)'))).json()).toMatchObject({
      status: 'ok',
    });
    await postRun(open.app, single('python', 'main.py', 'raise SystemExit(3)'));
    const after = (await open.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(after, 'coderunner_runs_total', 'language="python",status="ok"')).toBe(okBefore + 1);
    expect(sample(after, 'coderunner_runs_total', 'language="python",status="runtime_error"')).toBe(1);
    expect(
      sample(after, 'coderunner_run_phase_seconds_count', 'language="python",phase="total"'),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'coderunner_queue_runs', 'state="queued"')).toBe(0);
    expect(
      sample(after, 'coderunner_pool_containers', 'language="python",state="target"'),
    ).toBeGreaterThanOrEqual(1);
    expect(after).toContain('coderunner_process_resident_memory_bytes');
    // Two runs took two containers from the pool (hits or misses), and each was removed after its run.
    const hits = sample(after, 'coderunner_pool_acquired_total', 'language="python"') ?? 0;
    const misses = sample(after, 'coderunner_pool_misses_total', 'language="python"') ?? 0;
    expect(hits + misses).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'coderunner_containers_created_total', 'language="python"')).toBeGreaterThanOrEqual(
      2,
    );
    // Each used container's removal starts just after its run's reply (sandbox-pools.ts afterReply).
    const removed = async () =>
      sample(
        (await open.app.inject({ method: 'GET', url: '/metrics' })).body,
        'coderunner_containers_removed_total',
        'language="python"',
      ) ?? 0;
    expect(await waitFor(async () => (await removed()) >= 2, 5000)).toBe(true);
  });

  it('counts runs refused before a result by their error code', async () => {
    // One slot and no queue: a second run while the first sleeps is refused with 429.
    const sleeping = postRun(open.app, single('python', 'main.py', 'import time\ntime.sleep(1.5)'));
    await new Promise((r) => setTimeout(r, 500));
    const refused = await postRun(open.app, single('python', 'main.py', 'print(1)'));
    expect(refused.statusCode).toBe(429);
    await sleeping;
    const text = (await open.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(
      sample(text, 'coderunner_runs_failed_total', 'language="python",code="CR_ERR_RUN_QUEUE_FULL"'),
    ).toBe(1);
  });

  it('sits behind the API keys when they are set, for every spelling of its path', async () => {
    const spellings = [
      '/metrics',
      '/metrics/',
      '/METRICS',
      '/%6detrics',
      '//metrics',
      '/./metrics',
      '/metrics?x=1',
      '/metrics;x',
      '/metrics%2F',
    ];
    for (const target of spellings) {
      const res = await rawHttp(keyedPort, httpText('GET', target));
      expect([401, 404], `${target}: ${res.status}`).toContain(res.status);
      expect(res.body).not.toContain('coderunner_runs_total');
    }
    const allowed = await rawHttp(keyedPort, httpText('GET', '/metrics', { 'x-api-key': KEY }));
    expect(allowed.status).toBe(200);
    expect(allowed.body).toContain('coderunner_queue_runs');
  });
});
