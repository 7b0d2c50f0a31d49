// No secret in logs: a real server whose logger writes into a captured stream gets requests carrying API keys
// in headers, keys and tokens in the query string, path parameters and fragments, and WebSocket tickets; the
// captured log must name the requests but contain none of the secrets. A run's request lines name its run id
// (`run`), and each run ends with one `run finished` line (language, status, ms), never its code or stdin.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { createServer, type CodeRunnerServer } from '../src/create-server.js';
import { logRedaction } from '../src/http/request-log.js';
import { httpText, openWebSocket, rawHttp, upgradeText } from './auth-http.js';
import { containersOf, docker } from './helpers.js';

const KEY = 'key-S3CRET-header-0001';

function captured() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, stream };
}

describe('request logs', () => {
  const log = captured();
  let server: CodeRunnerServer;
  let port: number;

  beforeAll(async () => {
    const config = loadConfig({
      LANGUAGES: 'javascript',
      POOL_SIZE: '0',
      POOL_IDLE_SIZE: '0',
      SERVE_CLIENT: 'false',
      API_KEYS: KEY,
      SANDBOX_RUNTIME: process.env.SANDBOX_RUNTIME ?? 'runc',
    });
    // A plain logger, not main.ts's: the app must keep secrets out of request logs whatever logger it gets.
    server = await createServer({ config, docker, logger: pino({ level: 'info' }, log.stream) });
    port = Number(new URL(await server.app.listen({ port: 0, host: '127.0.0.1' })).port);
  });

  afterAll(async () => {
    await server.app.close();
    expect(await containersOf(server.driver.instanceId)).toEqual([]);
  });

  it('carry no API key, token or ticket, from headers, query strings, path parameters or fragments', async () => {
    const secrets: string[] = [KEY];
    const secret = (name: string) => {
      const value = `S3CRET-${name}-${secrets.length}`;
      secrets.push(value);
      return value;
    };
    const sent = [
      httpText('GET', '/api/v1/runtimes', { authorization: `Bearer ${KEY}` }),
      httpText('GET', '/api/v1/runtimes', { 'x-api-key': KEY }),
      httpText('GET', '/api/v1/runtimes', { 'x-api-key': 'S3CRET-wrong-key' }),
      httpText('GET', `/api/v1/runtimes?api_key=${secret('api_key')}`),
      httpText('GET', `/api/v1/runtimes?lang=py&Api_Key=${secret('Api_Key')}`),
      httpText('GET', `/api/v1/runtimes?api%5Fkey=${secret('encoded')}`),
      httpText('GET', `/api/v1/runtimes?key=${secret('key')}&token=${secret('token')}`),
      httpText('GET', `/api/v1/runtimes?access_token=${secret('access_token')}`, { 'x-api-key': KEY }),
      httpText('GET', `/api/v1/runtimes?x=1;password=${secret('password')}`),
      httpText('GET', `/api/v1/runtimes;api_key=${secret('path-param')}`),
      httpText('GET', `/api/v1/runtimes#access_token=${secret('fragment')}`),
      httpText('GET', `/no-such-route?api_key=${secret('404')}`),
      httpText('GET', `/%zz?token=${secret('bad-url')}`),
      upgradeText(`/api/v1/runs/ws?ticket=${secret('bad-ticket').padEnd(43, 'x')}`),
      upgradeText(`/api/v1/runs/ws?api_key=${secret('ws-key')}`),
    ];
    for (const text of sent) expect((await rawHttp(port, text)).status).toBeGreaterThan(0);
    secrets.push('S3CRET-wrong-key');

    // A real ticket, used for a real connection.
    const issued = await rawHttp(port, httpText('POST', '/api/v1/ws-tickets', { 'x-api-key': KEY }));
    const ticket = (JSON.parse(issued.body) as { ticket: string }).ticket;
    secrets.push(ticket);
    const ws = await openWebSocket(`ws://127.0.0.1:${port}/api/v1/runs/ws?ticket=${ticket}`);
    expect(ws.status).toBe(101);
    if ('socket' in ws) {
      const closed = new Promise((resolve) => ws.socket.on('close', resolve));
      ws.socket.close();
      await closed;
    }
    // Something that logs headers outright is redacted too.
    server.app.log.info({ headers: { authorization: `Bearer ${KEY}`, 'x-api-key': KEY } }, 'headers');

    const text = log.lines.join('');
    expect(text).toContain('"url":"/api/v1/runtimes?api_key=[Redacted]"');
    expect(text).toContain(`"url":"/api/v1/runs/ws?ticket=[Redacted]"`);
    expect(text).toContain('"authorization":"[Redacted]"');
    expect(log.lines.filter((l) => l.includes('incoming request')).length).toBeGreaterThanOrEqual(
      sent.length,
    );
    for (const s of secrets) expect(text, `the log holds ${s}`).not.toContain(s);
  });

  /** The JSON lines logged since `from`. */
  const linesSince = (from: number) =>
    log.lines.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>);

  /** A program whose code, stdin and reply hold markers that must never reach the log. */
  const echoRun = {
    language: 'javascript',
    files: [
      { name: 'main.js', content: 'const marker = "S3CRET-code"; process.stdin.pipe(process.stdout);' },
    ],
    stdin: 'S3CRET-stdin',
  };

  it('name the run on every line of a request after admission, with one `run finished` line and no code or stdin', async () => {
    const from = log.lines.length;
    const body = JSON.stringify(echoRun);
    const res = await rawHttp(port, httpText('POST', '/api/v1/runs', { 'x-api-key': KEY }, body), 60000);
    expect(res.status, res.body).toBe(200);
    const reply = JSON.parse(res.body) as { id: string; status: string; run: { stdout: string } };
    expect(reply).toMatchObject({ status: 'ok', run: { stdout: 'S3CRET-stdin' } });
    expect(res.headers['x-run-id']).toBe(reply.id);

    const lines = linesSince(from);
    const incoming = lines.find((l) => l.msg === 'incoming request');
    expect(incoming).toBeDefined();
    const ofRequest = lines.filter((l) => l.reqId === incoming!.reqId);
    // The id is known once the request is admitted: every line from then on names it.
    expect(ofRequest.map((l) => l.msg)).toEqual(['incoming request', 'run finished', 'request completed']);
    for (const line of ofRequest.slice(1)) expect(line).toMatchObject({ run: reply.id });
    const finished = lines.filter((l) => l.msg === 'run finished');
    expect(finished).toEqual([
      expect.objectContaining({
        level: 30,
        reqId: incoming!.reqId,
        run: reply.id,
        language: 'javascript',
        status: 'ok',
        ms: expect.any(Number),
      }),
    ]);
    expect(Object.keys(finished[0]!).sort()).toEqual(
      ['hostname', 'language', 'level', 'ms', 'msg', 'pid', 'reqId', 'run', 'status', 'time'].sort(),
    );
    const text = log.lines.slice(from).join('');
    for (const secret of ['S3CRET-code', 'S3CRET-stdin', KEY]) expect(text).not.toContain(secret);
  });

  it('name a WebSocket run on its lines, with one `run finished` line', async () => {
    const from = log.lines.length;
    const ws = await openWebSocket(`ws://127.0.0.1:${port}/api/v1/runs/ws`, { 'x-api-key': KEY });
    if (!('socket' in ws)) throw new Error(`not admitted: ${ws.status}`);
    const frames: Array<{ type: string; id?: string }> = [];
    ws.socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as { type: string }));
    const closed = new Promise<number>((resolve) => ws.socket.on('close', (code: number) => resolve(code)));
    ws.socket.send(JSON.stringify({ type: 'run', request: echoRun, stdinOpen: false }));
    expect(await closed).toBe(1000);
    const result = frames.find((f) => f.type === 'result');
    expect(result).toMatchObject({ status: 'ok' });

    const lines = linesSince(from);
    const upgrade = lines.find((l) => l.msg === 'incoming request');
    expect(lines.filter((l) => l.msg === 'run finished')).toEqual([
      expect.objectContaining({
        reqId: upgrade!.reqId,
        run: result!.id,
        language: 'javascript',
        status: 'ok',
        ms: expect.any(Number),
      }),
    ]);
    const text = log.lines.slice(from).join('');
    for (const secret of ['S3CRET-code', 'S3CRET-stdin', KEY]) expect(text).not.toContain(secret);
  });
});

describe("main.ts's logger options", () => {
  it('redact Authorization, X-API-Key and Cookie wherever headers are logged, and the URL of a request', () => {
    const log = captured();
    const logger = pino({ level: 'info', ...logRedaction }, log.stream);
    logger.info({
      headers: { authorization: 'Bearer S3CRET-1', 'x-api-key': 'S3CRET-2', cookie: 'S3CRET-3' },
    });
    logger.info({ res: { headers: { authorization: 'Bearer S3CRET-4' } } });
    logger.info({ req: { method: 'GET', url: '/api?token=S3CRET-5', headers: { 'x-api-key': 'S3CRET-6' } } });
    const text = log.lines.join('');
    expect(text).toContain('"url":"/api?token=[Redacted]"');
    expect(text).not.toMatch(/S3CRET/);
  });
});
