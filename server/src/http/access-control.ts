import { createHash, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { CodeRunnerError, createError } from '../errors/errors.js';
import type { WsTickets } from './ws-tickets.js';

/**
 * URL prefixes whose routes must live in the protected scope: the API, the compatibility APIs, the API's
 * documentation (/docs, http/openapi.ts) and the metrics, so that neither is ever open by accident when keys are
 * set. Compared case-insensitively and as plain prefixes, so a route the router could reach by any spelling is
 * caught.
 */
export const PROTECTED_PREFIXES = ['/api', '/jobe', '/restapi', '/judge0', '/docs', '/metrics'] as const;

/** Query parameters that used to carry (or commonly carry) an API key; refused so keys stay out of URLs. */
const KEY_PARAMS = ['api_key', 'apikey', 'api-key', 'access_token'];

/** Marks the options of routes registered in the protected scope, and of WebSocket routes. Unexported: unforgeable. */
const kProtected = Symbol('coderunner.protected');
const kWebSocket = Symbol('coderunner.websocket');

function mark(route: RouteOptions, flag: symbol): void {
  route.config = Object.assign({}, route.config, { [flag]: true });
}

function isMarked(config: unknown, flag: symbol): boolean {
  return typeof config === 'object' && config !== null && (config as Record<symbol, unknown>)[flag] === true;
}

/** Who a request in the protected scope comes from, as far as access control cares. */
export interface Caller {
  /** Rate-limit key: `key:<hash>` for an API key (also behind a ticket), else `ip:<address>`. Never the key. */
  readonly rateKey: string;
  /** Why the request is refused once it has been counted against its rate limit; null when it may go on. */
  readonly refusal: CodeRunnerError | null;
}

/** A route as access control sees it. */
export interface RouteAccess {
  readonly method: string;
  readonly url: string;
  /** Registered inside the protected scope, so it authenticates and rate-limits every request. */
  readonly protected: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for requests to routes in the protected scope (access-control.ts). */
    caller: Caller | null;
  }
  interface FastifyInstance {
    /** Every route of the app and whether it is in the protected scope (complete once the app is ready). */
    routeAccess(): readonly RouteAccess[];
  }
}

export interface RootAccessOptions {
  /** Origins allowed to call the API from a browser; empty means same-origin only, "*" any. */
  corsOrigins: readonly string[];
}

export interface ProtectedScopeOptions {
  /** Accepted API keys; empty means the API is open. */
  apiKeys: readonly string[];
  /** Requests per minute per API key (or per client address without one); 0 turns rate limiting off. */
  ratePerMinute: number;
  /** WebSocket tickets: how a browser authenticates a WebSocket without a key in the URL. */
  tickets: WsTickets;
}

/** True for a route URL under one of PROTECTED_PREFIXES. */
export function isUnderProtectedPrefix(url: string): boolean {
  const path = url.toLowerCase().replace(/\/{2,}/g, '/');
  return PROTECTED_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/** The caller of a request in the protected scope (routes there may rely on it). */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller)
    throw new Error(`${request.method} ${request.routeOptions.url}: not in the protected scope`);
  return request.caller;
}

/**
 * Answers a WebSocket upgrade with `err` as plain HTTP written to its socket, then ends the socket: once Node
 * has emitted 'upgrade' the socket belongs to no HTTP response, so the usual reply could leave it open.
 */
export function refuseUpgrade(
  request: FastifyRequest,
  reply: FastifyReply,
  err: CodeRunnerError,
): FastifyReply {
  reply.hijack();
  const body = JSON.stringify({ code: err.code, message: err.message });
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries({ ...reply.getHeaders(), ...err.headers })) {
    if (value !== undefined) headers.set(name.toLowerCase(), String(value).replace(/[\r\n]/g, ''));
  }
  headers.set('content-type', 'application/json; charset=utf-8');
  headers.set('content-length', String(Buffer.byteLength(body)));
  headers.set('connection', 'close');
  const lines = [...headers].map(([name, value]) => `${name}: ${value}\r\n`).join('');
  request.raw.socket.end(
    `HTTP/1.1 ${err.statusCode} ${STATUS_CODES[err.statusCode] ?? ''}\r\n${lines}\r\n${body}`,
  );
  return reply;
}

/** Refuses a request: an upgrade on its socket, anything else through the error handler (`{ code, message }`). */
function deny(request: FastifyRequest, reply: FastifyReply, err: CodeRunnerError): FastifyReply {
  if (!request.ws) throw err;
  return refuseUpgrade(request, reply, err);
}

/**
 * At the root, before any route: a table of every route (`app.routeAccess()`) and a guard that makes the app
 * refuse to start when a route under a protected prefix was registered outside `registerProtected`; CORS for
 * configured origins (preflights are answered before authentication, as browsers send no key on them); and
 * WebSocket upgrades only to WebSocket routes (404 elsewhere, instead of an upgrade closed at once).
 */
export async function registerAccessControl(app: FastifyInstance, options: RootAccessOptions): Promise<void> {
  // Before any route (CORS adds one), so the table holds them all.
  const routes: Array<{ route: RouteOptions; url: string }> = [];
  app.addHook('onRoute', (route) => {
    if (route.wsHandler || (route as { websocket?: boolean }).websocket) mark(route, kWebSocket);
    routes.push({ route, url: route.url });
  });
  // A `/` route under a prefix (Swagger UI's at /docs) is registered twice, `/docs` and `/docs/`: Fastify runs
  // onRoute for the first only, then rewrites the same options' url to the second. Both are listed.
  const table = (): RouteAccess[] =>
    routes.flatMap(({ route, url }) =>
      [...new Set([url, route.url])].flatMap((path) =>
        [route.method]
          .flat()
          .map((method) => ({ method, url: path, protected: isMarked(route.config, kProtected) })),
      ),
    );
  app.decorate('routeAccess', table);
  // onRoute hooks of the root run before the scope's own, so the marks are checked once every route is in.
  app.addHook('onReady', async () => {
    const loose = table().filter((r) => !r.protected && isUnderProtectedPrefix(r.url));
    if (loose.length > 0) {
      const names = loose.map((r) => `${r.method} ${r.url}`).join(', ');
      throw new Error(
        `routes under ${PROTECTED_PREFIXES.join(', ')} must be registered inside registerProtected: ${names}`,
      );
    }
  });

  if (options.corsOrigins.length > 0) {
    const any = options.corsOrigins.includes('*');
    await app.register(fastifyCors, {
      origin: any ? true : [...options.corsOrigins],
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key'],
      exposedHeaders: ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
      // Without this a bare OPTIONS gets a text/plain 400; every refusal here is JSON, so answer it as a preflight.
      strictPreflight: false,
      maxAge: 600,
    });
  }

  app.addHook('onRequest', async function webSocketRoutesOnly(request, reply) {
    if (request.ws && !isMarked(request.routeOptions.config, kWebSocket)) {
      return deny(
        request,
        reply,
        createError('CR_ERR_HTTP_NOT_FOUND', `for a WebSocket at ${request.url.split('?')[0] ?? ''}`),
      );
    }
    return undefined;
  });
}

function headerKey(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  const bearer = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth.trim()) : null;
  if (bearer) return bearer[1]!;
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : null;
}

function keyParamIn(query: unknown): string | null {
  if (typeof query !== 'object' || query === null) return null;
  return Object.keys(query).find((name) => KEY_PARAMS.includes(name.toLowerCase())) ?? null;
}

/** A stable id for an API key, for rate-limit buckets: never the key itself. */
function keyId(key: string): string {
  return `key:${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/**
 * Registers `routes` inside the protected scope, an encapsulated plugin whose hooks every route registered in
 * it gets, whatever its URL or however a client spells it: the caller is identified (API key in
 * `Authorization: Bearer` or `X-API-Key`, or a WebSocket ticket), counted against its rate limit, then refused
 * with 401 if it must be. Call it once and register every API and compatibility route in the callback.
 *
 * @example
 *   await registerProtected(app, { apiKeys, ratePerMinute: 600, tickets }, (scope) => {
 *     registerRunsRoutes(scope, runs);
 *   });
 */
export async function registerProtected(
  app: FastifyInstance,
  options: ProtectedScopeOptions,
  routes: (scope: FastifyInstance) => void | Promise<void>,
): Promise<void> {
  const keys = options.apiKeys.map((k) => Buffer.from(k));
  const open = keys.length === 0;

  function isValidKey(key: string): boolean {
    const given = Buffer.from(key);
    // Compare with every key, each in constant time, so timing tells nothing about which key is near.
    let found = false;
    for (const k of keys) if (k.length === given.length && timingSafeEqual(k, given)) found = true;
    return found;
  }

  async function identify(request: FastifyRequest): Promise<Caller> {
    const byAddress = `ip:${normalizeIP(request.ip)}`;
    const refuse = (err: CodeRunnerError): Caller => ({ rateKey: byAddress, refusal: err });
    const inUrl = keyParamIn(request.query);
    if (inUrl !== null) return refuse(createError('CR_ERR_AUTH_KEY_IN_URL', inUrl));
    const key = headerKey(request);
    if (key !== null) {
      if (open) return { rateKey: byAddress, refusal: null };
      return isValidKey(key)
        ? { rateKey: keyId(key), refusal: null }
        : refuse(createError('CR_ERR_AUTH_INVALID_KEY'));
    }
    const ticket = request.ws ? (request.query as Record<string, unknown>).ticket : undefined;
    if (ticket !== undefined) {
      const grant = typeof ticket === 'string' ? await options.tickets.redeem(ticket) : null;
      if (grant) return { rateKey: grant.rateKey, refusal: null };
      // An open server does not need tickets, so a stale one does not stop the connection.
      return open ? { rateKey: byAddress, refusal: null } : refuse(createError('CR_ERR_AUTH_INVALID_TICKET'));
    }
    return open ? { rateKey: byAddress, refusal: null } : refuse(createError('CR_ERR_AUTH_MISSING_KEY'));
  }

  await app.register(async function protectedScope(scope) {
    scope.decorateRequest('caller', null);
    scope.addHook('onRoute', (route) => mark(route, kProtected));
    scope.addHook('onRequest', async function identifyCaller(request) {
      request.caller = await identify(request);
    });
    if (options.ratePerMinute > 0) {
      await scope.register(fastifyRateLimit, {
        global: false,
        max: options.ratePerMinute,
        timeWindow: 60000,
        // LRU of buckets: memory stays bounded however many addresses call.
        cache: 10000,
        keyGenerator: (request) => callerOf(request).rateKey,
        errorResponseBuilder: (_request, context) => {
          const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
          return createError(
            'CR_ERR_HTTP_RATE_LIMITED',
            `at most ${context.max} per minute; retry in ${seconds} s`,
            { 'Retry-After': String(seconds) },
          );
        },
      });
      const limit = scope.rateLimit();
      scope.addHook('onRequest', async function rateLimit(request, reply) {
        try {
          await limit.call(scope, request, reply);
        } catch (err) {
          if (err instanceof CodeRunnerError) return deny(request, reply, err);
          throw err;
        }
        return undefined;
      });
    }
    scope.addHook('onRequest', async function requireCaller(request, reply) {
      const refusal = callerOf(request).refusal;
      return refusal ? deny(request, reply, refusal) : undefined;
    });
    await routes(scope);
  });
}
