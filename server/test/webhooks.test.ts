// Webhooks for finished runs (callbackUrl) and POST /api/v1/batches, on the real server and engine (docs/api.md):
// the receiver gets one signed POST whose body is what GET /api/v1/runs/{id} shows; failures are retried; a
// loopback callbackUrl is refused unless WEBHOOK_ALLOW_PRIVATE; a batch is validated whole, then queued in order.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../src/create-server.js';
import { single, startTestServer, waitFor } from './helpers.js';

const SECRET = 'integration-webhook-secret-0123456789';

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

let server: CodeRunnerServer;
/** WEBHOOK_ALLOW_PRIVATE off, a 1 KiB body limit, no warm containers: only refusals are asked of it. */
let strict: CodeRunnerServer;
/** No WEBHOOK_SECRET: webhooks off. */
let off: CodeRunnerServer;
let receiver: Server;
let base: string;
const deliveries: Delivery[] = [];
/** How each path answers: a list of statuses used in turn (the last one repeats); 200 by default. */
const answers = new Map<string, number[]>();

beforeAll(async () => {
  receiver = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      deliveries.push({ path, headers: req.headers, raw: Buffer.concat(chunks) });
      const queue = answers.get(path) ?? [200];
      res.statusCode = queue.length > 1 ? queue.shift()! : queue[0]!;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  server = await startTestServer({
    LANGUAGES: 'python',
    POOL_SIZE: '1',
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    RUN_BATCH_MAX: '3',
  });
  strict = await startTestServer({
    LANGUAGES: 'python',
    POOL_SIZE: '0',
    WEBHOOK_SECRET: SECRET,
    RUN_MAX_BODY_KB: '1',
  });
  off = await startTestServer({ LANGUAGES: 'python', POOL_SIZE: '0' });
}, 240000);

afterAll(async () => {
  await Promise.all([server?.app.close(), strict?.app.close(), off?.app.close()]);
  await new Promise((resolve) => receiver?.close(resolve).closeAllConnections());
});

function post(target: CodeRunnerServer, url: string, body: unknown) {
  return target.app.inject({ method: 'POST', url, payload: body as object });
}

async function getRun(id: string) {
  return (await server.app.inject({ method: 'GET', url: `/api/v1/runs/${id}` })).json<{
    status: string;
    result: { run: { stdout: string } } | null;
  }>();
}

function deliveriesTo(path: string): Delivery[] {
  return deliveries.filter((d) => d.path === path);
}

/** The receiver's side, as docs/api.md tells it: HMAC-SHA256 of `${timestamp}.${raw body}`, five-minute window. */
function verifies(d: Delivery): boolean {
  const timestamp = String(d.headers['x-coderunner-timestamp']);
  const signature = String(d.headers['x-coderunner-signature']);
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.`).update(d.raw).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhooks', () => {
  it('POSTs a ?wait=false run once, signed, with the body GET /api/v1/runs/{id} shows', async () => {
    const res = await post(
      server,
      '/api/v1/runs?wait=false',
      single('python', 'main.py', 'print("hooked")', { callbackUrl: `${base}/one?token=t` }),
    );
    expect(res.statusCode).toBe(202);
    const { id } = res.json<{ id: string }>();
    expect(await waitFor(() => deliveriesTo('/one?token=t').length > 0, 30000)).toBe(true);
    // Nothing more arrives for it.
    await new Promise((r) => setTimeout(r, 500));
    const got = deliveriesTo('/one?token=t');
    expect(got).toHaveLength(1);
    const d = got[0]!;
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.headers['user-agent']).toBe('CodeRunner-Webhook');
    expect(d.headers['x-coderunner-event']).toBe('run.finished');
    expect(d.headers['x-coderunner-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(verifies(d)).toBe(true);
    const body: unknown = JSON.parse(d.raw.toString('utf8'));
    expect(body).toMatchObject({
      id,
      status: 'finished',
      result: { status: 'ok', run: { stdout: 'hooked\n' } },
    });
    const view = await server.app.inject({ method: 'GET', url: `/api/v1/runs/${id}` });
    expect(body).toEqual(view.json());
  });

  it('tries again while the receiver answers 500: three tries, one delivery id', async () => {
    answers.set('/flaky', [500, 500, 200]);
    const res = await post(
      server,
      '/api/v1/runs?wait=false',
      single('python', 'main.py', 'print(1)', { callbackUrl: `${base}/flaky` }),
    );
    expect(res.statusCode).toBe(202);
    // Backoff 1 s, then 4 s.
    expect(await waitFor(() => deliveriesTo('/flaky').length >= 3, 40000)).toBe(true);
    const got = deliveriesTo('/flaky');
    expect(got).toHaveLength(3);
    expect(new Set(got.map((d) => d.headers['x-coderunner-delivery'])).size).toBe(1);
    expect(got.every(verifies)).toBe(true);
  });

  it('refuses a loopback callbackUrl with 400 when private addresses are not allowed', async () => {
    for (const url of [
      'http://127.0.0.1:9/',
      'http://2130706433/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost./',
    ]) {
      const res = await post(
        strict,
        '/api/v1/runs?wait=false',
        single('python', 'main.py', 'print(1)', { callbackUrl: url }),
      );
      expect(res.statusCode, url).toBe(400);
      expect(res.json<{ code: string }>().code, url).toBe('CR_ERR_RUN_BAD_CALLBACK_URL');
    }
    const res = await post(
      strict,
      '/api/v1/runs?wait=false',
      single('python', 'main.py', 'print(1)', { callbackUrl: 'http://169.254.169.254/' }),
    );
    expect(res.json<{ message: string }>().message).toMatch(
      /^callbackUrl must reach a public address: 169\.254\.169\.254 is a link-local/,
    );
  });

  it('refuses a callbackUrl with 400 when the server has no WEBHOOK_SECRET', async () => {
    const res = await post(
      off,
      '/api/v1/runs?wait=false',
      single('python', 'main.py', 'print(1)', { callbackUrl: 'https://example.com/hook' }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('CR_ERR_RUN_WEBHOOKS_DISABLED');
  });
});

describe('POST /api/v1/batches', () => {
  it('queues every run in order and answers 202 with their ids; each finishes and calls back', async () => {
    const runs = [1, 2, 3].map((n) =>
      single('python', 'main.py', `print(${n})`, { callbackUrl: `${base}/batch/${n}` }),
    );
    const res = await post(server, '/api/v1/batches', { runs });
    expect(res.statusCode).toBe(202);
    const batch = res.json<{ id: string; runs: Array<{ id: string; status: string }> }>();
    expect(batch.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(batch.runs).toHaveLength(3);
    expect(new Set(batch.runs.map((r) => r.id)).size).toBe(3);
    expect(batch.runs.every((r) => r.status === 'queued')).toBe(true);
    for (const [i, { id }] of batch.runs.entries()) {
      expect(await waitFor(async () => (await getRun(id)).status === 'finished', 30000)).toBe(true);
      expect((await getRun(id)).result?.run.stdout).toBe(`${i + 1}\n`);
    }
    expect(await waitFor(() => [1, 2, 3].every((n) => deliveriesTo(`/batch/${n}`).length === 1), 10000)).toBe(
      true,
    );
    for (const [i, { id }] of batch.runs.entries()) {
      const d = deliveriesTo(`/batch/${i + 1}`)[0]!;
      expect(verifies(d)).toBe(true);
      expect(JSON.parse(d.raw.toString('utf8'))).toMatchObject({ id, status: 'finished' });
    }
  });

  it('refuses the whole batch when one run is bad, naming its index, and submits none', async () => {
    const good = single('python', 'main.py', 'import time\ntime.sleep(1)');
    const cases: Array<[unknown[], string, RegExp]> = [
      [
        [good, single('cobol', 'main.cob', '')],
        'CR_ERR_RUN_UNKNOWN_LANGUAGE',
        /^runs\[1\]: Unknown language "cobol"/,
      ],
      [
        [good, good, { language: 'python' }],
        'CR_ERR_RUN_INVALID_REQUEST',
        /^runs\[2\]: Invalid run request: files/,
      ],
      [
        [single('python', 'main.py', '', { callbackUrl: 'https://user:pw@example.com/' }), good],
        'CR_ERR_RUN_BAD_CALLBACK_URL',
        /^runs\[0\]: callbackUrl must not carry a user name or password/,
      ],
    ];
    for (const [runs, code, message] of cases) {
      const res = await post(server, '/api/v1/batches', { runs });
      expect(res.statusCode, code).toBe(400);
      expect(res.json(), code).toMatchObject({ code });
      expect(res.json<{ message: string }>().message).toMatch(message);
      expect(server.runs.inFlight, code).toBe(0);
    }
  });

  it('refuses a body that is not a batch, an empty one and one past RUN_BATCH_MAX', async () => {
    const run = single('python', 'main.py', 'print(1)');
    const cases: Array<[unknown, number, string]> = [
      [[run], 400, 'CR_ERR_BATCH_BAD_BODY'],
      [{ runs: run }, 400, 'CR_ERR_BATCH_BAD_BODY'],
      [{ runs: [run], wait: false }, 400, 'CR_ERR_BATCH_BAD_BODY'],
      [{ runs: [] }, 400, 'CR_ERR_BATCH_EMPTY'],
      [{ runs: [run, run, run, run] }, 400, 'CR_ERR_BATCH_TOO_LARGE'],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(server, '/api/v1/batches', body);
      expect(res.statusCode, code).toBe(status);
      expect(res.json<{ code: string }>().code, JSON.stringify(body).slice(0, 60)).toBe(code);
    }
    const tooMany = await post(server, '/api/v1/batches', { runs: [run, run, run, run] });
    expect(tooMany.json<{ message: string }>().message).toBe(
      'A batch holds at most 3 runs (RUN_BATCH_MAX); this one has 4',
    );
    expect(server.runs.inFlight).toBe(0);
  });

  it('bounds the whole batch body by RUN_MAX_BODY_KB', async () => {
    const runs = [1, 2, 3].map(() => single('python', 'main.py', `print("${'x'.repeat(400)}")`));
    const res = await post(strict, '/api/v1/batches', { runs });
    expect(res.statusCode).toBe(413);
    expect(res.json<{ code: string }>().code).toBe('CR_ERR_HTTP_BODY_TOO_LARGE');
  });
});
