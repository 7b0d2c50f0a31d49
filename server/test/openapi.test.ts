// The OpenAPI document (@fastify/swagger, http/openapi.ts) against the real app's routes: every route registered
// is documented with its methods and no documented path is stale; the run request schema is protocol/'s own;
// the schemas only document (the routes still validate with zod and answer our own errors); /docs and
// /docs/json sit behind the API keys for every spelling of their paths and load nothing from elsewhere.
// The whole app over the fake sandbox driver: no Docker needed.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRunRequestSchema } from '@coderunner/protocol';
import { Metrics } from '../src/observability/metrics.js';
import { httpText, rawHttp } from './auth-http.js';
import { buildFakeApp, createFakeStack, fakeRun, type FakeStack } from './fakes/fake-stack.js';

const KEY = 'openapi-test-key';

interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  security?: unknown[];
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, unknown> };
  security: unknown[];
}

function appOver(stack: FakeStack): Promise<FastifyInstance> {
  return buildFakeApp(stack, {
    metrics: new Metrics({ queue: () => stack.runs.queueStats(), pools: () => stack.pools.stats() }),
  });
}

let stack: FakeStack;
let app: FastifyInstance;
let port: number;
let doc: Document;

beforeAll(async () => {
  stack = await createFakeStack({ env: { API_KEYS: KEY }, poolSize: { idle: 1, busy: 1 } });
  app = await appOver(stack);
  port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
  const res = await app.inject({ method: 'GET', url: '/docs/json', headers: { 'x-api-key': KEY } });
  expect(res.statusCode).toBe(200);
  doc = res.json<Document>();
});

afterAll(async () => {
  await app?.close();
  await stack?.close();
});

/** Fastify's `/runs/:id` as OpenAPI spells it: `/runs/{id}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The UI's own routes: not operations of the API. */
const isDocsUi = (url: string) => url === '/docs' || url.startsWith('/docs/');

/** Every (method, path) the app serves, less the docs UI and the HEAD routes Fastify adds for each GET. */
function servedOperations(): Set<string> {
  const routes = app.routeAccess().filter((r) => !isDocsUi(r.url));
  const gets = new Set(routes.filter((r) => r.method === 'GET').map((r) => r.url));
  return new Set(
    routes
      .filter((r) => !(r.method === 'HEAD' && gets.has(r.url)))
      .map((r) => `${r.method} ${openApiPath(r.url)}`),
  );
}

function documentedOperations(): Set<string> {
  return new Set(
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    ),
  );
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with the package version and both ways of sending a key', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'CodeRunner', version: '0.1.0' });
    expect(doc.components.securitySchemes).toEqual({
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    // Keys are configured here: no operation is open but /healthz.
    expect(doc.security).toEqual([{ apiKey: [] }, { bearer: [] }]);
    expect(doc.paths['/healthz']!.get!.security).toEqual([]);
  });

  it('documents every route the app registered, with its methods, and nothing it does not serve', () => {
    const served = servedOperations();
    const documented = documentedOperations();
    // Not vacuous: the core API, a compatibility API, the explicit Jobe HEAD and the metrics are there.
    expect([...served]).toEqual(
      expect.arrayContaining([
        'POST /api/v1/runs',
        'GET /api/v1/runs/{id}',
        'POST /api/v1/batches',
        'GET /api/v1/runs/ws',
        'GET /api/v1/runtimes',
        'POST /api/v1/ws-tickets',
        'GET /metrics',
        'GET /healthz',
        'POST /judge0/submissions',
        'HEAD /restapi/files/{id}',
        'POST /api/v2/execute',
      ]),
    );
    expect(
      [...served].filter((op) => !documented.has(op)),
      'served but undocumented',
    ).toEqual([]);
    expect(
      [...documented].filter((op) => !served.has(op)),
      'documented but not served',
    ).toEqual([]);
  });

  it('describes each core operation completely: summary, tag, parameters, body, success and error replies', () => {
    const core = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/v1/'));
    expect(core.length).toBeGreaterThanOrEqual(6);
    for (const [path, item] of core) {
      for (const [method, op] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(op.summary, name).toBeTruthy();
        expect(op.tags?.length, name).toBeGreaterThan(0);
        const statuses = Object.keys(op.responses);
        expect(
          statuses.some((s) => /^(2\d\d|101)$/.test(s)),
          name,
        ).toBe(true);
        // Every route of the protected scope meets the key check and the rate limit: { code, message }.
        for (const status of ['401', '429'])
          expect(op.responses[status]?.content?.['application/json']?.schema, `${name} ${status}`).toEqual({
            $ref: '#/components/schemas/ApiError',
          });
        if (method === 'post' && path !== '/api/v1/ws-tickets')
          expect(op.requestBody?.content['application/json']?.schema, name).toBeDefined();
      }
    }
    const post = doc.paths['/api/v1/runs']!.post!;
    expect(post.parameters).toEqual([
      expect.objectContaining({ name: 'wait', in: 'query', required: false }),
    ]);
    expect(post.requestBody!.content['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/RunRequest',
    });
    expect(Object.keys(post.responses)).toEqual(
      expect.arrayContaining(['200', '202', '400', '401', '413', '415', '429', '503']),
    );
    expect(post.responses['200']!.content!['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/RunResponse',
    });
    const get = doc.paths['/api/v1/runs/{id}']!.get!;
    expect(get.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['200', '404']));
    expect(doc.components.schemas.ApiError).toMatchObject({ required: ['code', 'message'] });
    // The WebSocket messages are there as schemas for the description to name.
    expect(doc.components.schemas.WsClientMessage).toHaveProperty('oneOf');
    expect(doc.components.schemas.WsServerMessage).toHaveProperty('oneOf');
  });

  it('tags the compatibility APIs piston, jobe and judge0', () => {
    const tagsOf = (prefix: string) =>
      new Set(
        Object.entries(doc.paths)
          .filter(([path]) => path.startsWith(prefix))
          .flatMap(([, item]) => Object.values(item).flatMap((op) => op.tags ?? [])),
      );
    expect(tagsOf('/api/v2/')).toEqual(new Set(['piston']));
    expect(tagsOf('/jobe/')).toEqual(new Set(['jobe']));
    expect(tagsOf('/restapi/')).toEqual(new Set(['jobe']));
    expect(tagsOf('/judge0/')).toEqual(new Set(['judge0']));
  });

  it("gives the run request as protocol/'s zod schema makes it, bounded by this server's maximums", () => {
    const { description, ...documented } = doc.components.schemas.RunRequest!;
    const { $schema: _dialect, ...expected } = z.toJSONSchema(createRunRequestSchema(stack.config), {
      io: 'input',
    });
    expect(description).toEqual(expect.any(String));
    expect(documented).toEqual(expected);
    const maxTimeout = (documented as { properties: { limits: { properties: { timeoutMs: object } } } })
      .properties.limits.properties.timeoutMs;
    expect(maxTimeout).toMatchObject({ maximum: stack.config.RUN_MAX_TIMEOUT_MS });
  });

  it('has a run request schema that accepts what the server accepts and refuses what it refuses', async () => {
    const ajv = new Ajv2020({ strict: false });
    // The document's references are JSON pointers into it: compile each schema with the components beside it.
    const validator = (id: string) =>
      ajv.compile({ components: { schemas: doc.components.schemas }, $ref: `#/components/schemas/${id}` });
    const validRequest = validator('RunRequest');
    const good = fakeRun('echo hello', { stdin: 'x', args: ['a'], limits: { timeoutMs: 1000 } });
    expect(validRequest(good), JSON.stringify(validRequest.errors)).toBe(true);
    for (const bad of [
      { language: 'fake' },
      { ...good, colour: 'blue' },
      { ...good, limits: { timeoutMs: stack.config.RUN_MAX_TIMEOUT_MS + 1 } },
      { ...good, files: [] },
    ]) {
      expect(validRequest(bad), JSON.stringify(bad)).toBe(false);
      const refused = await app.inject({
        method: 'POST',
        url: '/api/v1/runs',
        headers: { 'x-api-key': KEY },
        payload: bad,
      });
      expect(refused.statusCode, refused.body).toBe(400);
    }
    // The reply of a real run fits the documented RunResponse, and names its run in X-Run-Id.
    const ran = await app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      headers: { 'x-api-key': KEY },
      payload: good,
    });
    expect(ran.statusCode, ran.body).toBe(200);
    const validResponse = validator('RunResponse');
    expect(validResponse(ran.json()), JSON.stringify(validResponse.errors)).toBe(true);
    expect(ran.json()).toMatchObject({ status: 'ok', run: { stdout: 'hello\n' } });
    expect(ran.headers['x-run-id']).toBe(ran.json().id);
  });

  it('only documents: requests are still validated by zod with our own errors, replies serialised as they are', async () => {
    const send = (url: string, payload: unknown) =>
      app.inject({ method: 'POST', url, headers: { 'x-api-key': KEY }, payload: payload as object });
    // A documented enum and default (`wait`) that Fastify would have enforced or filled in itself.
    const badWait = await send('/api/v1/runs?wait=maybe', fakeRun('echo hi'));
    expect(badWait.json()).toMatchObject({ code: 'CR_ERR_RUN_BAD_WAIT' });
    const noBody = await send('/api/v1/runs', { files: 'none' });
    expect(noBody.statusCode).toBe(400);
    expect(noBody.json()).toMatchObject({ code: 'CR_ERR_RUN_INVALID_REQUEST' });
    expect(noBody.json().message).not.toMatch(/must have required property|body\//);
    // Judge0's own 422 field errors, not Fastify's validation of the documented body.
    const judge0 = await send('/judge0/submissions?base64_encoded=false', { language_id: 'x' });
    expect(judge0.statusCode).toBe(422);
    expect(judge0.json()).toHaveProperty('source_code');
    // A reply keeps fields its documented schema does not list (fast-json-stringify would drop them): the
    // pools of /healthz are documented as bare objects.
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json().pools[0]).toHaveProperty('language', 'fake');
  });

  it('serves the document as YAML too', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/docs/yaml',
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^openapi: 3\.1\.0$/m);
  });
});

/** Spellings of the docs' paths a router, proxy or client might treat as /docs or /docs/json. */
function docsSpellings(): string[] {
  return [
    '/docs',
    '/docs/',
    '/%64ocs',
    '/%64ocs/json',
    '/%64%6f%63%73/json',
    '/docs/%6Ason',
    '/%2564ocs/json',
    '/DOCS',
    '/Docs/json',
    '/docs/JSON',
    '//docs',
    '//docs/json',
    '/docs//json',
    '/docs/./json',
    '/./docs/json',
    '/x/../docs/json',
    '/docs/x/../json',
    '/docs/%2e/json',
    '/docs%2Fjson',
    '/docs%2fjson',
    '/docs/json/',
    '/docs/json?x=1',
    '/docs/json;x=1',
    '/docs/json#x',
    '/docs/json%00',
    '/docs/json%20',
    '/docs/yaml',
    '/docs/static/index.html',
    '/docs/static/swagger-initializer.js',
    '/docs/static/swagger-ui-bundle.js',
    '/docs/static/../json',
    '/docs/static/%2e%2e/json',
    '/metrics',
    '/%6detrics',
    `http://127.0.0.1:${port}/docs/json`,
  ];
}

describe('/docs behind the API keys', () => {
  it('refuses every spelling of /docs, /docs/json and the UI assets without a key, or finds no route', async () => {
    const statuses: number[] = [];
    for (const target of docsSpellings()) {
      const res = await rawHttp(port, httpText('GET', target));
      expect(res.timedOut, target).toBe(false);
      expect([401, 404], `${target}: ${res.status} ${res.body.slice(0, 200)}`).toContain(res.status);
      expect(res.body, target).not.toMatch(/openapi|swagger|SwaggerUI|coderunner_/i);
      if (res.status === 401) expect(JSON.parse(res.body).code, target).toBe('CR_ERR_AUTH_MISSING_KEY');
      statuses.push(res.status);
    }
    for (const canonical of ['/docs', '/docs/', '/docs/json', '/%64ocs/json', '/docs/yaml', '/metrics'])
      expect((await rawHttp(port, httpText('GET', canonical))).status, canonical).toBe(401);
    expect(statuses).toContain(404);
  });

  it('refuses a wrong key and a key in the URL', async () => {
    const wrong = await rawHttp(port, httpText('GET', '/docs/json', { 'x-api-key': 'nope' }));
    expect(wrong.status).toBe(401);
    const inUrl = await rawHttp(port, httpText('GET', `/docs/json?api_key=${KEY}`));
    expect(inUrl.status).toBe(401);
    expect(JSON.parse(inUrl.body).code).toBe('CR_ERR_AUTH_KEY_IN_URL');
  });

  it('serves the UI and the document with a key, in either header, for the spellings that reach them', async () => {
    const both: Array<Record<string, string>> = [{ 'x-api-key': KEY }, { authorization: `Bearer ${KEY}` }];
    for (const headers of both) {
      for (const target of ['/docs/json', '/%64ocs/json']) {
        const res = await rawHttp(port, httpText('GET', target, headers));
        expect(res.status, target).toBe(200);
        expect(JSON.parse(res.body)).toMatchObject({ openapi: '3.1.0' });
      }
      for (const target of ['/docs', '/docs/']) {
        const res = await rawHttp(port, httpText('GET', target, headers));
        expect(res.status, target).toBe(200);
        expect(res.headers['content-type']).toContain('text/html');
      }
    }
  });

  it('loads nothing from elsewhere: the page, its scripts and styles come from /docs/static, CSP self only', async () => {
    const headers = { 'x-api-key': KEY };
    for (const target of ['/docs', '/docs/']) {
      const page = await app.inject({ method: 'GET', url: target, headers });
      expect(page.body).not.toMatch(/(https?:)?\/\/[a-z0-9]/i);
      const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(refs.length).toBeGreaterThanOrEqual(5);
      for (const asset of refs) {
        expect(asset).toMatch(/^(\/docs|\.)\/static\//);
        const url = asset.startsWith('.') ? `/docs/${asset.slice(2)}` : asset;
        const res = await app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, url).toBe(200);
      }
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toMatch(/https?:|\*/);
    }
    // The initializer fetches the document relative to the page and asks no online validator.
    const init = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js', headers });
    expect(init.body).toContain("resolveUrl('./json')");
    expect(init.body).toContain('validatorUrl: null');
  });
});

describe('/docs on an open server', () => {
  it('is open like the API when no keys are configured, and says so in the document', async () => {
    const openStack = await createFakeStack();
    const open = await appOver(openStack);
    try {
      const page = await open.inject({ method: 'GET', url: '/docs' });
      expect(page.statusCode).toBe(200);
      const json = await open.inject({ method: 'GET', url: '/docs/json' });
      expect(json.statusCode).toBe(200);
      expect(json.json<Document>().security).toEqual([{}, { apiKey: [] }, { bearer: [] }]);
    } finally {
      await open.close();
      await openStack.close();
    }
  });
});
