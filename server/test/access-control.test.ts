import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CodeRunnerServer } from '../src/create-server.js';
import { startTestServer } from './helpers.js';

let server: CodeRunnerServer;

beforeAll(async () => {
  server = await startTestServer({
    LANGUAGES: 'python',
    POOL_SIZE: '0',
    API_KEYS: 'teacher-key-1, platform-key-2',
    RATE_LIMIT_PER_MINUTE: '5',
    CORS_ORIGINS: 'https://school.example',
  });
});

afterAll(async () => {
  await server.app.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  server.app.inject({ method: 'GET', url, headers });

describe('API keys, rate limits and CORS', () => {
  it('requires a valid API key on /api/*', async () => {
    const missing = await get('/api/v1/runtimes');
    expect(missing.statusCode).toBe(401);
    expect(missing.json().code).toBe('CR_ERR_AUTH_MISSING_KEY');
    const wrong = await get('/api/v1/runtimes', { authorization: 'Bearer teacher-key-X' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('CR_ERR_AUTH_INVALID_KEY');
    expect((await get('/api/v1/runtimes', { authorization: 'Bearer teacher-key-1' })).statusCode).toBe(200);
    expect((await get('/api/v1/runtimes', { 'x-api-key': 'platform-key-2' })).statusCode).toBe(200);
  });

  it('keeps /healthz open and free of secrets', async () => {
    const health = await get('/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.body).not.toMatch(/key|docker\.sock|\/var\/|instance/i);
  });

  it('limits requests per key with 429 and Retry-After, each key on its own budget', async () => {
    const headers = { 'x-api-key': 'teacher-key-1' };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get('/api/v1/runtimes', headers)).statusCode);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = await get('/api/v1/runtimes', headers);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('CR_ERR_HTTP_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get('/api/v1/runtimes', { 'x-api-key': 'platform-key-2' })).statusCode).toBe(200);
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      server.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/runs',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight('https://school.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://school.example');
    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('takes the key from the query string on the WebSocket endpoint, and refuses the upgrade without it', async () => {
    const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `${address.replace('http', 'ws')}/api/v1/runs/ws`;
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('unexpected-response', (req, res) => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      ws.on('open', () => resolve(101));
    });
    expect(refused).toBe(401);
    const accepted = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${url}?api_key=platform-key-2`);
      ws.on('unexpected-response', (req, res) => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
    });
    expect(accepted).toBe(101);
  });
});
