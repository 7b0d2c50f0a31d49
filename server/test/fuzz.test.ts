// Property-based fuzzing of every endpoint: malformed, oversized, deeply nested and wrongly typed requests must
// always get a 4xx JSON { code, message } (or a 200 when they happen to be valid), never a 500 or a crash.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../src/create-server.js';
import { startTestServer } from './helpers.js';

let server: CodeRunnerServer;

beforeAll(async () => {
  // Pool 0 and a short timeout: a fuzzed request that is valid by chance still runs, cheaply.
  server = await startTestServer({
    LANGUAGES: 'python',
    POOL_SIZE: '0',
    RUN_DEFAULT_TIMEOUT_MS: '1000',
    RUN_MAX_BODY_KB: '256',
    RATE_LIMIT_PER_MINUTE: '0',
  });
});

afterAll(async () => {
  await server.app.close();
});

async function expectClean(response: { statusCode: number; body: string; headers: Record<string, unknown> }) {
  expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500);
  if (response.statusCode >= 400) {
    expect(String(response.headers['content-type'])).toMatch(/application\/json/);
    const body = JSON.parse(response.body) as { code: unknown; message: unknown };
    expect(typeof body.code).toBe('string');
    expect(typeof body.message).toBe('string');
  }
}

const post = (payload: string, contentType = 'application/json') =>
  server.app.inject({
    method: 'POST',
    url: '/api/v1/runs',
    headers: { 'content-type': contentType },
    payload,
  });

const field = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.string({ maxLength: 300 }),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.constant('python'),
  fc.constant('py'),
);
const file = fc.record(
  {
    name: fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('main.py', '../x', '/etc/passwd', 'a\u0000b', 'lib/a.py'),
      field,
    ),
    content: fc.oneof(fc.string({ maxLength: 100 }), field),
    toBeExec: fc.oneof(fc.boolean(), field),
    encoding: fc.oneof(fc.constantFrom('utf8', 'base64', 'hex'), field),
  },
  { requiredKeys: [] },
);
const runRequest = fc.record(
  {
    language: field,
    version: field,
    files: fc.oneof(fc.array(file, { maxLength: 4 }), field),
    stdin: field,
    args: fc.oneof(fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }), field),
    limits: fc.oneof(
      fc.record({ timeoutMs: field, memoryMb: field, outputKb: field, compile: field }, { requiredKeys: [] }),
      field,
    ),
    extra: field,
  },
  { requiredKeys: [] },
);

describe('fuzzing every endpoint', () => {
  it('answers structured but wrong run requests with 4xx JSON, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(runRequest, async (body) => {
        await expectClean(await post(JSON.stringify(body)));
      }),
      { numRuns: 300 },
    );
  });

  it('answers arbitrary bytes and JSON of any shape with 4xx JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 2000 }), fc.json({ maxDepth: 6 })), async (text) => {
        await expectClean(await post(text));
      }),
      { numRuns: 300 },
    );
  });

  it('survives deeply nested, oversized and prototype-poisoning bodies', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    for (const payload of [
      deep(1000),
      deep(100000),
      `{"language":"python","files":${deep(50000)}}`,
      JSON.stringify({ language: 'python', files: [{ name: 'a.py', content: 'x'.repeat(400 * 1024) }] }),
      '{"__proto__":{"polluted":true},"language":"python","files":[{"name":"a.py","content":""}]}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '\u0000\u0001\u0002',
      '"just a string"',
      'null',
    ]) {
      await expectClean(await post(payload));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers odd methods, paths, query strings and content types on every route with 4xx JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
        fc.constantFrom(
          '/api/v1/runs',
          '/api/v1/runtimes',
          '/healthz',
          '/api/v1/runs/ws',
          '/api/v2/runs',
          '/api',
        ),
        fc.string({ maxLength: 30 }),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data',
          '',
        ),
        async (method, path, query, contentType) => {
          const response = await server.app.inject({
            method: method as 'GET',
            url: `${path}?${encodeURIComponent(query)}`,
            headers: contentType ? { 'content-type': contentType } : {},
            ...(method === 'GET' || method === 'HEAD' ? {} : { payload: query }),
          });
          expect(response.statusCode, `${method} ${path}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
          if (response.statusCode >= 400 && method !== 'HEAD') {
            expect(JSON.parse(response.body)).toMatchObject({
              code: expect.any(String),
              message: expect.any(String),
            });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
