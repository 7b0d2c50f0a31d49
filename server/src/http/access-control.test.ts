import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { installErrorHandler } from '../errors/error-handler.js';
import { registerAccessControl, registerProtected } from './access-control.js';
import { registerWsTicketRoutes } from './ws-ticket-routes.js';
import { MemoryWsTicketStore, WsTickets } from './ws-tickets.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A bare app with the real access control and one protected route that says who called. */
async function appWith(options: { apiKeys?: string[]; ratePerMinute?: number; corsOrigins?: string[] } = {}) {
  const app = Fastify();
  apps.push(app);
  installErrorHandler(app, 1024);
  await registerAccessControl(app, { corsOrigins: options.corsOrigins ?? [] });
  const tickets = new WsTickets(new MemoryWsTicketStore(), 30000);
  await registerProtected(
    app,
    { apiKeys: options.apiKeys ?? [], ratePerMinute: options.ratePerMinute ?? 0, tickets },
    (scope) => {
      scope.get('/api/v1/whoami', async (request) => ({ rateKey: request.caller?.rateKey }));
      registerWsTicketRoutes(scope, tickets);
    },
  );
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}

describe('the protected scope', () => {
  it('stops start-up when a route under a protected prefix is registered outside it', async () => {
    for (const url of [
      '/api/v1/rogue',
      '/API/v1/rogue',
      '//api/x',
      '/jobe/index.php/restapi/runs',
      '/restapi/x',
      '/judge0/submissions',
    ]) {
      const app = await appWith();
      app.post(url, async () => 'ran');
      await expect(app.ready(), url).rejects.toThrow(/must be registered inside registerProtected: POST/);
    }
  });

  it('starts when every route under a protected prefix is inside it, with /healthz and wildcards outside', async () => {
    const app = await appWith();
    app.get('/*', async () => 'static');
    await expect(app.ready()).resolves.toBeDefined();
  });

  it('requires a valid key in a header, and refuses a key in the URL even next to a valid header', async () => {
    const app = await appWith({ apiKeys: ['k-one', 'k-two'] });
    const get = (url: string, headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url, headers });
    expect((await get('/api/v1/whoami')).json().code).toBe('CR_ERR_AUTH_MISSING_KEY');
    expect((await get('/api/v1/whoami', { authorization: 'Bearer k-three' })).json().code).toBe(
      'CR_ERR_AUTH_INVALID_KEY',
    );
    expect((await get('/api/v1/whoami', { authorization: 'Basic k-one' })).statusCode).toBe(401);
    const one = await get('/api/v1/whoami', { authorization: 'bearer k-one' });
    expect(one.statusCode).toBe(200);
    expect(one.json().rateKey).toMatch(/^key:[0-9a-f]{24}$/);
    expect(one.body).not.toContain('k-one');
    expect((await get('/api/v1/whoami', { 'x-api-key': 'k-two' })).statusCode).toBe(200);
    for (const param of ['api_key', 'API_KEY', 'apikey', 'access_token']) {
      const inUrl = await get(`/api/v1/whoami?${param}=k-one`, { 'x-api-key': 'k-two' });
      expect(inUrl.statusCode).toBe(401);
      expect(inUrl.json()).toEqual({
        code: 'CR_ERR_AUTH_KEY_IN_URL',
        message: expect.stringMatching(/X-API-Key.*ticket/),
      });
    }
    expect((await get('/healthz')).statusCode).toBe(200);
  });

  it('refuses tickets on plain HTTP requests: they admit WebSocket upgrades only', async () => {
    const app = await appWith({ apiKeys: ['k-one'] });
    const issued = await app.inject({
      method: 'POST',
      url: '/api/v1/ws-tickets',
      headers: { 'x-api-key': 'k-one' },
    });
    expect(issued.statusCode).toBe(201);
    expect(issued.headers['cache-control']).toBe('no-store');
    const { ticket } = issued.json();
    const plain = await app.inject({ method: 'GET', url: `/api/v1/whoami?ticket=${ticket}` });
    expect(plain.json().code).toBe('CR_ERR_AUTH_MISSING_KEY');
    expect((await app.inject({ method: 'POST', url: '/api/v1/ws-tickets' })).statusCode).toBe(401);
  });

  it('leaves an open server open, still handing out (unneeded) tickets and refusing keys in URLs', async () => {
    const app = await appWith();
    expect((await app.inject({ method: 'GET', url: '/api/v1/whoami' })).json().rateKey).toBe('ip:127.0.0.1');
    const issued = await app.inject({ method: 'POST', url: '/api/v1/ws-tickets' });
    expect(issued.statusCode).toBe(201);
    expect(issued.json()).toEqual({
      ticket: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresInMs: 30000,
    });
    expect((await app.inject({ method: 'GET', url: '/api/v1/whoami?api_key=x' })).statusCode).toBe(401);
  });

  it('rate-limits per key, and per address for requests without a valid key, with 429 and Retry-After', async () => {
    const app = await appWith({ apiKeys: ['k-one', 'k-two'], ratePerMinute: 3 });
    const get = (headers: Record<string, string>, remoteAddress = '10.0.0.1') =>
      app.inject({ method: 'GET', url: '/api/v1/whoami', headers, remoteAddress });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await get({ 'x-api-key': 'k-one' }, `10.0.0.${i}`)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await get({ 'x-api-key': 'k-one' });
    expect(limited.json()).toEqual({
      code: 'CR_ERR_HTTP_RATE_LIMITED',
      message: expect.stringMatching(/3 per minute/),
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get({ 'x-api-key': 'k-two' })).statusCode).toBe(200);
    // Wrong keys count against the address they come from, so guessing keys is limited too.
    const guesses = [];
    for (let i = 0; i < 4; i++)
      guesses.push((await get({ 'x-api-key': `guess-${i}` }, '10.9.9.9')).statusCode);
    expect(guesses).toEqual([401, 401, 401, 429]);
    expect((await get({ 'x-api-key': 'k-two' }, '10.9.9.9')).statusCode).toBe(200);
  });
});
