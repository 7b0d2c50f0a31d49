import { readFileSync } from 'node:fs';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import {
  apiErrorSchema,
  clientMessageSchema,
  createRunRequestSchema,
  runResponseSchema,
  runtimeInfoSchema,
  serverMessageSchema,
  wsTicketSchema,
  type RequestMaximums,
} from '@coderunner/protocol';

/** Where the UI, `/docs/json` and `/docs/yaml` are served (inside the protected scope). */
export const DOCS_PREFIX = '/docs';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route's documentation: what the OpenAPI document shows as its schema (params, querystring, body,
     * responses, tags, summary). Kept in the route's config, not its `schema`, so that Fastify never compiles a
     * validator or serializer from it: requests are validated by protocol/'s zod schemas with our own
     * `{ code, message }` errors, and replies are sent as the handlers make them.
     */
    openapi?: FastifySchema;
  }
}

/** The shared schemas of the document, by `$id`: routes refer to them with `ref(...)`. */
export type SchemaId =
  | 'RunRequest'
  | 'RunResponse'
  | 'ApiError'
  | 'RuntimeInfo'
  | 'WsTicket'
  | 'WsClientMessage'
  | 'WsServerMessage'
  | 'RunView';

/** A reference to a shared schema, for a route's documentation (becomes `#/components/schemas/<id>`). */
export function ref(id: SchemaId, description?: string): { $ref: string; description?: string } {
  return description === undefined ? { $ref: `${id}#` } : { $ref: `${id}#`, description };
}

/** JSON Schema of a zod schema, as a component: draft 2020-12 (OpenAPI 3.1's dialect), no `$schema` key. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return rest;
}

/** What a recorded run looks like (store/run-view.ts): GET /api/v1/runs/{id} and callback bodies. */
const runViewSchema = {
  type: 'object',
  required: ['id', 'status', 'language', 'createdAt', 'finishedAt', 'request', 'result', 'error'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'finished', 'failed', 'cancelled'] },
    language: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    request: {
      type: 'object',
      description: 'The size of the request, never its content.',
      properties: { files: { type: 'integer' }, bytes: { type: 'integer' }, tests: { type: 'integer' } },
    },
    result: {
      description: 'The result once `status` is `finished`, else null.',
      anyOf: [{ $ref: 'RunResponse#' }, { type: 'null' }],
    },
    error: {
      description: 'Why the run did not finish (`failed`, `cancelled`), else null.',
      anyOf: [{ $ref: 'ApiError#' }, { type: 'null' }],
    },
  },
};

/** The shared schemas, generated from protocol/'s zod schemas where one exists. */
function sharedSchemas(maximums: RequestMaximums): Array<Record<string, unknown> & { $id: SchemaId }> {
  return [
    {
      $id: 'RunRequest',
      description: 'A run request, bounded by this server’s maximums (protocol/src/run-request.ts).',
      ...jsonSchemaOf(createRunRequestSchema(maximums), 'input'),
    },
    { $id: 'RunResponse', ...jsonSchemaOf(runResponseSchema, 'output') },
    {
      $id: 'ApiError',
      description: 'Every error reply of the API; the codes are listed in docs/errors.md.',
      ...jsonSchemaOf(apiErrorSchema, 'output'),
    },
    { $id: 'RuntimeInfo', ...jsonSchemaOf(runtimeInfoSchema, 'output') },
    { $id: 'WsTicket', ...jsonSchemaOf(wsTicketSchema, 'output') },
    {
      $id: 'WsClientMessage',
      description: 'A message a client sends on GET /api/v1/runs/ws (a JSON text frame).',
      ...jsonSchemaOf(clientMessageSchema, 'input'),
    },
    {
      $id: 'WsServerMessage',
      description: 'A message the server sends on GET /api/v1/runs/ws (a JSON text frame).',
      ...jsonSchemaOf(serverMessageSchema, 'output'),
    },
    { $id: 'RunView', ...runViewSchema },
  ];
}

const ERROR_DESCRIPTIONS = {
  400: 'The request is invalid: `code` says why (docs/errors.md).',
  401: 'No API key, an invalid one, or a key in the URL (keys travel in `X-API-Key` or `Authorization: Bearer`).',
  404: 'Nothing is recorded under this id.',
  413: 'The body is larger than RUN_MAX_BODY_KB.',
  415: 'The body is not `application/json`.',
  426: 'A plain GET of a WebSocket endpoint: upgrade the connection.',
  429: 'Rate limited (RATE_LIMIT_PER_MINUTE) or the run queue is full; see `Retry-After`.',
  503: 'Queued too long, no sandbox could be started, or the server is shutting down; see `Retry-After`.',
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/**
 * `{ code, message }` replies for a route in the protected scope: 401 and 429 (every such route meets the key
 * check and the rate limit) and the given statuses.
 *
 * @example
 *   schema: { response: { 200: ref('RuntimeInfo'), ...errorReplies(400) } }
 */
export function errorReplies(
  ...statuses: ErrorStatus[]
): Record<number, { $ref: string; description?: string }> {
  const all = [...new Set<ErrorStatus>([...statuses, 401, 429])].sort((a, b) => a - b);
  return Object.fromEntries(all.map((status) => [status, ref('ApiError', ERROR_DESCRIPTIONS[status])]));
}

function packageVersion(): string {
  // server/package.json, from src/http/ and from dist/http/ alike.
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

export interface OpenApiOptions {
  /** The server maximums the run request schema is bounded by (the configuration). */
  maximums: RequestMaximums;
  /** API keys are configured: every operation but /healthz needs one. */
  keysRequired: boolean;
}

/**
 * Registers the OpenAPI 3.1 generator (@fastify/swagger) at the root, before any route, so that its onRoute
 * hook sees every route, those of the protected scope included; the UI comes later, inside that scope
 * (registerDocsUi). A route's documentation is its `config.openapi`, which Fastify does not read: validation
 * and serialisation stay exactly as they are without it.
 *
 * @example
 *   await registerOpenApi(app, { maximums: config, keysRequired: config.apiKeys.length > 0 });
 *   await registerProtected(app, access, (scope) => { registerDocsUi(scope); registerRunsRoutes(scope, runs); });
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  // At the root, so that every scope sees them (@fastify/swagger reads them into components.schemas). No route
  // schema refers to them, so Fastify compiles nothing from them.
  for (const schema of sharedSchemas(options.maximums)) app.addSchema(schema);
  const keyed: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'CodeRunner',
        version: packageVersion(),
        description:
          'Runs programs in sandboxes. The REST and WebSocket protocol is described in docs/api.md, the error ' +
          'codes in docs/errors.md. The compatibility APIs (Piston, Jobe, Judge0) follow those projects’ own ' +
          'protocols; their schemas here are brief (docs/compat.md).',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer', description: 'The API key as a bearer token.' },
        },
      },
      // An open server (no API_KEYS) needs no key: `{}` is the requirement that asks for nothing.
      security: options.keysRequired ? keyed : [{}, ...keyed],
      tags: [
        { name: 'runs', description: 'Run a project: compile, run, test.' },
        { name: 'runtimes', description: 'The languages this server runs.' },
        { name: 'websocket', description: 'Streaming runs: output as it happens, typed stdin.' },
        { name: 'operations', description: 'Health and metrics.' },
        { name: 'piston', description: 'Piston v2 compatibility (its own protocol; docs/compat.md).' },
        { name: 'jobe', description: 'Jobe compatibility (its own protocol; docs/compat.md).' },
        { name: 'judge0', description: 'Judge0 CE compatibility (its own protocol; docs/compat.md).' },
      ],
    },
    // A route's documentation lives in its config (see FastifyContextConfig above); plugins' own routes
    // (Swagger UI's, static files) keep their `schema: { hide: true }`.
    transform: ({ schema, url, route }) => ({ schema: route.config?.openapi ?? schema, url }),
    // OpenAPI 3.1 has `const`: keep the generated schemas as protocol/ makes them.
    convertConstToEnum: false,
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
}

/**
 * Serves the UI at /docs, the document at /docs/json and /docs/yaml, with Swagger UI's assets from the package
 * itself (the machine may have no internet) and a Content-Security-Policy that lets the page load nothing from
 * elsewhere. Call inside the protected scope, so that with API keys set the docs need one too.
 */
export function registerDocsUi(scope: FastifyInstance): void {
  void scope.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: { deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
    theme: { title: 'CodeRunner API' },
    // validatorUrl stays unset: the plugin then gives Swagger UI null, so no badge is fetched from a validator.
    staticCSP:
      "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; " +
      "img-src 'self' data:; object-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
      "frame-ancestors 'self'; form-action 'self'",
  });
}
