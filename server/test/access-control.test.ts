// Access control against real servers over loopback: every spelling of a protected URL a router might
// normalise, by plain HTTP, HEAD, OPTIONS and WebSocket upgrade, is refused with 401 or reaches no route (404);
// keys travel in headers only; browsers' WebSockets use single-use tickets; rate limits follow the key.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../src/create-server.js';
import { isUnderProtectedPrefix } from '../src/http/access-control.js';
import { httpText, openWebSocket, rawHttp, upgradeText, type RawResponse } from './auth-http.js';
import { startTestServer } from './helpers.js';

const KEY = 'teacher-key-1';
const OTHER_KEY = 'platform-key-2';
const AUTH_CODES = ['CR_ERR_AUTH_MISSING_KEY', 'CR_ERR_AUTH_KEY_IN_URL', 'CR_ERR_AUTH_INVALID_TICKET'];

// A program that, if it ever ran, would say so in the reply.
const RUN_BODY = JSON.stringify({
  language: 'javascript',
  files: [{ name: 'main.js', content: 'console.log("BYPASS" + "ED")' }],
});

let server: CodeRunnerServer;
let port: number;
let base: string;
let clientDir: string;

beforeAll(async () => {
  clientDir = mkdtempSync(join(tmpdir(), 'coderunner-client-'));
  writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>CodeRunner test client</title>');
  server = await startTestServer({
    LANGUAGES: 'javascript',
    POOL_SIZE: '1',
    API_KEYS: `${KEY}, ${OTHER_KEY}`,
    // Hundreds of refused requests come from one address here; rate limits are the second server's business.
    RATE_LIMIT_PER_MINUTE: '100000',
    CORS_ORIGINS: 'https://school.example',
    SERVE_CLIENT: 'true',
    CLIENT_DIR: clientDir,
  });
  base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  port = Number(new URL(base).port);
});

afterAll(async () => {
  await server.app.close();
  rmSync(clientDir, { recursive: true, force: true });
});

/** Spellings of `/api/v1/<rest>` that some router, proxy or client might treat as the same path. */
function spellings(rest: string): string[] {
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16)}`;
  const p = `/api/v1/${rest}`;
  return [
    `/%61pi/v1/${rest}`,
    `/%41%50%49/v1/${rest}`,
    `/api/v1/${hex(rest[0]!)}${rest.slice(1)}`,
    `/api/%76%31/${rest}`,
    `/%2561pi/v1/${rest}`,
    `/api%2Fv1/${rest}`,
    `/api%2fv1%2f${rest}`,
    `//api/v1/${rest}`,
    `/api//v1/${rest}`,
    `/api/v1//${rest}`,
    `${p}/`,
    `${p}//`,
    `/API/v1/${rest}`,
    `/Api/V1/${rest}`,
    `/api/v1/${rest.toUpperCase()}`,
    `/x/../api/v1/${rest}`,
    `/api/x/../v1/${rest}`,
    `/api/./v1/${rest}`,
    `/./api/v1/${rest}`,
    `${p}/.`,
    `/%2e%2e/api/v1/${rest}`,
    `/x/%2e%2e/api/v1/${rest}`,
    `/api/%2e/v1/${rest}`,
    `${p}?`,
    `${p}?x=1`,
    `${p}?x=1&y`,
    `${p};x=1`,
    `${p};api_key=${KEY}`,
    `${p}?api_key=${KEY}`,
    `${p}#x`,
    `${p}%3Fx=1`,
    `${p}%23x`,
    `${p}%00`,
    `${p}%20`,
    `${p}%zz`,
    `/api/v1/%E0%A4%A${rest}`,
    `http://127.0.0.1:${port}${p}`,
  ];
}

/** Runs `tasks` a few at a time: bounded in time even when every one would wait for its timeout. */
async function inBatches<T>(tasks: Array<() => Promise<T>>, size = 16): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += size)
    results.push(...(await Promise.all(tasks.slice(i, i + size).map((t) => t()))));
  return results;
}

/** A refusal or a miss, never anything a protected route would answer. */
function expectRefusedOrNoRoute(what: string, res: RawResponse, forbidden: RegExp): void {
  expect(res.timedOut, `${what}: the server kept the connection open`).toBe(false);
  expect([401, 404], `${what}: ${res.status} ${res.body}`).toContain(res.status);
  expect(res.body, what).not.toMatch(forbidden);
  if (res.status === 401 && res.body) expect(AUTH_CODES, what).toContain(JSON.parse(res.body).code);
}

const endpoints = [
  { method: 'POST', rest: 'runs', body: RUN_BODY, forbidden: /BYPASSED|"stdout"/ },
  { method: 'GET', rest: 'runtimes', body: undefined, forbidden: /javascript|"language"/ },
  { method: 'POST', rest: 'ws-tickets', body: undefined, forbidden: /"ticket"/ },
  { method: 'GET', rest: 'runs/ws', body: undefined, forbidden: /BYPASSED|"stdout"/ },
] as const;

describe('access control that cannot be walked around', () => {
  it('runs programs and lists runtimes for a valid key (so the refusals below are not vacuous)', async () => {
    const ran = await fetch(`${base}/api/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: RUN_BODY,
    });
    expect(ran.status).toBe(200);
    expect(((await ran.json()) as { run: { stdout: string } }).run.stdout).toBe('BYPASSED\n');
    const listed = await fetch(`${base}/api/v1/runtimes`, { headers: { 'x-api-key': OTHER_KEY } });
    expect(listed.status).toBe(200);
    // The spelling of the original report reaches the route: with a key it runs, without one it is refused.
    const encoded = await rawHttp(
      port,
      httpText('POST', '/%61pi/v1/runs', { 'x-api-key': KEY }, RUN_BODY),
      30000,
    );
    expect(encoded.status).toBe(200);
    expect(encoded.body).toContain('BYPASSED');
    const refused = await rawHttp(port, httpText('POST', '/%61pi/v1/runs', {}, RUN_BODY));
    expect(refused.status).toBe(401);
  });

  it('refuses every spelling of every protected route without a key, or finds no route', async () => {
    const tasks = endpoints.flatMap((e) =>
      spellings(e.rest).map((target) => async () => {
        const res = await rawHttp(port, httpText(e.method, target, {}, e.body));
        expectRefusedOrNoRoute(`${e.method} ${target}`, res, e.forbidden);
        return res.status;
      }),
    );
    const statuses = await inBatches(tasks);
    // Some spellings are the same route to the router (and so must meet authentication), others are none.
    expect(statuses).toContain(401);
    expect(statuses).toContain(404);
  });

  it('refuses HEAD and OPTIONS on every spelling the same way, or answers an empty CORS preflight', async () => {
    const tasks = endpoints.flatMap((e) =>
      spellings(e.rest).flatMap((target) => [
        async () => {
          const res = await rawHttp(port, httpText('HEAD', target));
          expectRefusedOrNoRoute(`HEAD ${target}`, res, /./);
        },
        async () => {
          const res = await rawHttp(port, httpText('OPTIONS', target));
          // With CORS_ORIGINS set, any OPTIONS is answered as a preflight: 204, no body, nothing run.
          if (res.status === 204) expect(res.body, `OPTIONS ${target}`).toBe('');
          else expectRefusedOrNoRoute(`OPTIONS ${target}`, res, e.forbidden);
        },
      ]),
    );
    await inBatches(tasks);
  });

  it('answers WebSocket upgrades to every spelling with a plain 401 or 404 on the socket, never 101', async () => {
    const tasks = endpoints.flatMap((e) =>
      spellings(e.rest).map((target) => async () => {
        const res = await rawHttp(port, upgradeText(target));
        expect(res.status, `upgrade ${target}`).not.toBe(101);
        expectRefusedOrNoRoute(`upgrade ${target}`, res, e.forbidden);
        return res.status;
      }),
    );
    const statuses = await inBatches(tasks);
    expect(statuses).toContain(401);
    // Garbage tickets are refused like missing keys.
    const bad = await rawHttp(port, upgradeText(`/api/v1/runs/ws?ticket=${'A'.repeat(43)}`));
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body).code).toBe('CR_ERR_AUTH_INVALID_TICKET');
  });

  it('registers every route under /api, /jobe, /restapi and /judge0 inside the protected scope', async () => {
    // The app's own table (filled by a root onRoute hook, so it sees every route)...
    const table = server.app.routeAccess();
    const names = (rows: readonly { method: string; url: string }[]) =>
      rows.map((r) => `${r.method} ${r.url}`);
    const prefixed = table.filter((r) => isUnderProtectedPrefix(r.url));
    expect(names(prefixed)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/runs',
        'GET /api/v1/runs/ws',
        'HEAD /api/v1/runtimes',
        'POST /api/v1/ws-tickets',
      ]),
    );
    expect(prefixed.filter((r) => !r.protected)).toEqual([]);
    expect(names(table.filter((r) => !r.protected)).sort()).toEqual([
      'GET /*',
      'GET /healthz',
      'HEAD /*',
      'HEAD /healthz',
      'OPTIONS *',
    ]);
    // ...checked against what Fastify itself prints: each prefixed route runs the scope's requireCaller hook
    // (printRoutes draws a tree, a child continuing its parent's path, and may leave wildcards out)...
    const printed = server.app.printRoutes({ commonPrefix: false, includeHooks: true });
    const parents: Array<{ column: number; path: string }> = [];
    const hooksOf = new Map<string, string>();
    let pending: string[] = [];
    for (const line of printed.split('\n')) {
      const route = /^([│├└─\s]*)(\S+) \(([A-Z, ]+)\)\s*$/.exec(line);
      if (route) {
        const column = route[1]!.length;
        while (parents.length > 0 && parents[parents.length - 1]!.column >= column) parents.pop();
        const path = (parents[parents.length - 1]?.path ?? '') + route[2]!;
        parents.push({ column, path });
        pending = route[3]!.split(', ').map((method) => `${method} ${path}`);
      }
      const hooks = /• \(onRequest\) (\[.*\])/.exec(line);
      if (hooks) for (const name of pending.splice(0)) hooksOf.set(name, hooks[1]!);
    }
    // printRoutes may also drop the static segment before a wildcard (`/docs/static/*` prints as `/docs/*`).
    const samePrinted = (printed: string, name: string) =>
      printed === name ||
      (printed.endsWith('*') &&
        name.endsWith('*') &&
        name.startsWith(printed.slice(0, -1)) &&
        printed.split(' ')[0] === name.split(' ')[0]);
    for (const name of [...hooksOf.keys()])
      expect(
        names(table).some((listed) => samePrinted(name, listed)),
        `${name} is missing from routeAccess()`,
      ).toBe(true);
    for (const name of names(prefixed)) {
      const printed = hooksOf.has(name) ? name : [...hooksOf.keys()].find((p) => samePrinted(p, name));
      expect(hooksOf.get(printed ?? name), name).toContain('requireCaller');
    }
    // ...and by behaviour: without a key, every one of them is refused.
    for (const r of prefixed) {
      const res = await server.app.inject({ method: r.method as 'GET', url: r.url });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it('keeps /healthz and the web client open, and /healthz free of secrets', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).not.toMatch(/key|docker\.sock|\/var\/|instance/i);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('CodeRunner test client');
  });

  it('answers CORS preflights for allowed origins only, and lets browsers read refusals', async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/api/v1/runs`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-api-key',
        },
      });
    const allowed = await preflight('https://school.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://school.example');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('x-api-key');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const refused = await fetch(`${base}/api/v1/runtimes`, { headers: { origin: 'https://school.example' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://school.example');
  });
});

describe('keys in headers only, tickets for browser WebSockets', () => {
  it('refuses a key in the query string, over HTTP and WebSocket, with a message naming the way to go', async () => {
    const http = await fetch(`${base}/api/v1/runtimes?api_key=${KEY}`);
    expect(http.status).toBe(401);
    const body = (await http.json()) as { code: string; message: string };
    expect(body.code).toBe('CR_ERR_AUTH_KEY_IN_URL');
    expect(body.message).toMatch(/Authorization: Bearer.*X-API-Key.*ticket/);
    const ws = await openWebSocket(`${base.replace('http', 'ws')}/api/v1/runs/ws?api_key=${KEY}`);
    expect(ws.status).toBe(401);
    expect('body' in ws && JSON.parse(ws.body).code).toBe('CR_ERR_AUTH_KEY_IN_URL');
  });

  it('admits a WebSocket with a key header (non-browser clients)', async () => {
    const ws = await openWebSocket(`${base.replace('http', 'ws')}/api/v1/runs/ws`, { 'x-api-key': KEY });
    expect(ws.status).toBe(101);
    if ('socket' in ws) ws.socket.close();
  });

  it('admits a WebSocket once per ticket, runs its program, and refuses the ticket a second time', async () => {
    const issued = await fetch(`${base}/api/v1/ws-tickets`, {
      method: 'POST',
      headers: { 'x-api-key': KEY },
    });
    expect(issued.status).toBe(201);
    const { ticket, expiresInMs } = (await issued.json()) as { ticket: string; expiresInMs: number };
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresInMs).toBe(30000);
    const url = `${base.replace('http', 'ws')}/api/v1/runs/ws?ticket=${ticket}`;
    const first = await openWebSocket(url);
    expect(first.status).toBe(101);
    if (!('socket' in first)) return;
    const frames: Array<{ type: string; [k: string]: unknown }> = [];
    const closed = new Promise<number>((resolve) => first.socket.on('close', (code) => resolve(code)));
    first.socket.on('message', (raw) => frames.push(JSON.parse((raw as Buffer).toString())));
    first.socket.send(JSON.stringify({ type: 'run', request: JSON.parse(RUN_BODY), stdinOpen: false }));
    expect(await closed).toBe(1000);
    expect(frames.find((f) => f.type === 'result')).toMatchObject({ status: 'ok' });
    const again = await openWebSocket(url);
    expect(again.status).toBe(401);
    expect('body' in again && JSON.parse(again.body).code).toBe('CR_ERR_AUTH_INVALID_TICKET');
  });

  it('hands out tickets only for a valid key', async () => {
    expect((await fetch(`${base}/api/v1/ws-tickets`, { method: 'POST' })).status).toBe(401);
    const wrong = await fetch(`${base}/api/v1/ws-tickets`, {
      method: 'POST',
      headers: { 'x-api-key': 'nope' },
    });
    expect(((await wrong.json()) as { code: string }).code).toBe('CR_ERR_AUTH_INVALID_KEY');
  });
});

describe('rate limits per key and per address, tickets that expire, behind a trusted proxy', () => {
  let limited: CodeRunnerServer;
  let limitedPort: number;

  beforeAll(async () => {
    limited = await startTestServer({
      LANGUAGES: 'javascript',
      POOL_SIZE: '0',
      API_KEYS: 'b-key-1,b-key-2,b-key-3',
      RATE_LIMIT_PER_MINUTE: '3',
      WS_TICKET_TTL_MS: '1000',
      TRUST_PROXY: '127.0.0.1',
      RUN_MAX_BODY_KB: '16',
    });
    limitedPort = Number(new URL(await limited.app.listen({ port: 0, host: '127.0.0.1' })).port);
  });

  afterAll(async () => {
    await limited.app.close();
  });

  const send = (text: string) => rawHttp(limitedPort, text);
  const ticketFor = async (key: string) =>
    JSON.parse((await send(httpText('POST', '/api/v1/ws-tickets', { 'x-api-key': key }))).body)
      .ticket as string;

  it('counts a ticket-admitted WebSocket against the key that asked for the ticket, refusing it with 429 on the socket', async () => {
    const ticket = await ticketFor('b-key-1'); // 1 of 3
    for (let i = 0; i < 2; i++)
      expect((await send(httpText('GET', '/api/v1/runtimes', { 'x-api-key': 'b-key-1' }))).status).toBe(200);
    const refused = await send(upgradeText(`/api/v1/runs/ws?ticket=${ticket}`));
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({
      code: 'CR_ERR_HTTP_RATE_LIMITED',
      message: expect.stringMatching(/3 per minute/),
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const header = await send(upgradeText('/api/v1/runs/ws', { 'x-api-key': 'b-key-1' }));
    expect(header.status).toBe(429);
    // Another key has its own budget.
    expect(
      (await send(httpText('GET', '/api/v1/runtimes', { authorization: 'Bearer b-key-2' }))).status,
    ).toBe(200);
  });

  it('refuses a ticket past WS_TICKET_TTL_MS', async () => {
    const ticket = await ticketFor('b-key-3');
    await new Promise((r) => setTimeout(r, 1200));
    const late = await send(upgradeText(`/api/v1/runs/ws?ticket=${ticket}`));
    expect(late.status).toBe(401);
    expect(JSON.parse(late.body).code).toBe('CR_ERR_AUTH_INVALID_TICKET');
  });

  it('takes the client address from X-Forwarded-For of a trusted proxy, one budget per client', async () => {
    const from = (client: string) => ({ 'x-forwarded-for': client });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await send(httpText('GET', '/api/v1/runtimes', from('203.0.113.7')))).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await send(upgradeText('/api/v1/runs/ws', from('203.0.113.7')))).status).toBe(429);
    expect((await send(httpText('GET', '/api/v1/runtimes', from('203.0.113.8')))).status).toBe(401);
  });

  it('caps WebSocket frames at the body limit (RUN_MAX_BODY_KB) plus the envelope, not a fixed 8 MiB', async () => {
    const frame = (bytes: number) =>
      JSON.stringify({
        type: 'run',
        request: { language: 'no-such-language', files: [{ name: 'a.js', content: 'x'.repeat(bytes) }] },
      });
    const attempt = async (message: string) => {
      const ws = await openWebSocket(`ws://127.0.0.1:${limitedPort}/api/v1/runs/ws`, {
        'x-api-key': 'b-key-2',
      });
      if (!('socket' in ws)) throw new Error(`not admitted: ${ws.status}`);
      const frames: string[] = [];
      ws.socket.on('message', (raw) => frames.push((raw as Buffer).toString()));
      const closed = new Promise<number>((resolve) => ws.socket.on('close', (code) => resolve(code)));
      ws.socket.send(message);
      return { code: await closed, frames };
    };
    // Under the limit the message is read (and refused for its unknown language)...
    const under = await attempt(frame(15 * 1024));
    expect(under.frames.join('')).toContain('CR_ERR_RUN_UNKNOWN_LANGUAGE');
    // ...over it the WebSocket layer closes the connection: 1009, message too big.
    expect((await attempt(frame(18 * 1024))).code).toBe(1009);
  });
});
