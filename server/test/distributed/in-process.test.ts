// The distributed mode in one process (CODERUNNER_ROLE=all with REDIS_URL): the app's runs go through the
// BullMQ queue on a real Redis to this process's own worker, and come back the same as in the embedded mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../../src/create-server.js';
import { postRun, single, startTestServer, waitFor } from '../helpers.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

let redis: RedisServer;
let server: CodeRunnerServer;

beforeAll(async () => {
  redis = await startRedis();
  server = await startTestServer({
    LANGUAGES: 'python',
    REDIS_URL: redis.url,
    WORKER_HEARTBEAT_MS: '200',
    WORKER_TTL_MS: '2000',
  });
  // The API sees its worker at the next heartbeat.
  await waitFor(async () => (await server.app.inject({ url: '/healthz' })).statusCode === 200, 10000);
}, 120000);

afterAll(async () => {
  await server?.app.close();
  await redis?.stop();
});

describe('one process on Redis (role all)', () => {
  it('runs a program through the queue and answers as the embedded mode does', async () => {
    const res = await postRun(
      server.app,
      single('python', 'main.py', 'print("hello", input())', { stdin: 'queue' }),
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      status: 'ok',
      language: 'python',
      run: { stdout: 'hello queue\n', exitCode: 0 },
    });
  });

  it('answers 503 CR_ERR_RUN_NO_WORKER for a language no live worker serves, 400 for one nobody knows', async () => {
    const none = await postRun(server.app, single('javascript', 'main.js', 'console.log(1)'));
    expect(none.statusCode).toBe(503);
    expect(none.json().code).toBe('CR_ERR_RUN_NO_WORKER');
    expect(none.headers['retry-after']).toBe('5');
    const unknown = await postRun(server.app, single('klingon', 'main.k', 'x'));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('CR_ERR_RUN_UNKNOWN_LANGUAGE');
  });

  it('accepts ?wait=false and records the result the worker produced', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/runs?wait=false',
      payload: single('python', 'main.py', 'print(6 * 7)'),
    });
    expect(res.statusCode).toBe(202);
    const { id } = res.json<{ id: string }>();
    let record: { status: string; result: { run: { stdout: string } } | null } | null = null;
    await waitFor(async () => {
      const got = await server.app.inject({ url: `/api/v1/runs/${id}` });
      record = got.json();
      return got.statusCode === 200 && record?.status === 'finished';
    }, 20000);
    expect(record!.result!.run.stdout).toBe('42\n');
  });

  it('lists the languages the live workers serve', async () => {
    const res = await server.app.inject({ url: '/api/v1/runtimes' });
    expect(res.json<Array<{ language: string }>>().map((r) => r.language)).toEqual(['python']);
    const health = (await server.app.inject({ url: '/healthz' })).json();
    expect(health.workers).toHaveLength(1);
    expect(health.redis).toEqual({ ok: true });
  });
});

describe('the queue on Redis is bounded', () => {
  let small: CodeRunnerServer;

  beforeAll(async () => {
    small = await startTestServer({
      LANGUAGES: 'python',
      POOL_SIZE: '1',
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'bounded',
      RUN_MAX_CONCURRENT: '1',
      RUN_MAX_QUEUED: '1',
      WORKER_HEARTBEAT_MS: '200',
      WORKER_TTL_MS: '2000',
    });
    await waitFor(async () => (await small.app.inject({ url: '/healthz' })).statusCode === 200, 10000);
  }, 120000);

  afterAll(async () => {
    await small?.app.close();
  });

  it('answers 429 with Retry-After once RUN_MAX_QUEUED runs wait, and runs the admitted ones', async () => {
    const slow = single('python', 'main.py', 'import time\ntime.sleep(1)\nprint("done")');
    // then() sends each now; the pause lets the first be taken before the second is queued.
    const first = postRun(small.app, slow).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    const second = postRun(small.app, slow).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    const third = await postRun(small.app, slow);
    expect(third.statusCode).toBe(429);
    expect(third.json().code).toBe('CR_ERR_RUN_QUEUE_FULL');
    expect(third.headers['retry-after']).toBe('1');
    expect((await first).json().run.stdout).toBe('done\n');
    expect((await second).json().run.stdout).toBe('done\n');
  });
});
