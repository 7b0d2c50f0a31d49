import { timingSafeEqual } from 'node:crypto';
import fastifyCors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CodeRunnerError } from '../errors/errors.js';
import { createError } from '../errors/errors.js';
import { FixedWindowLimiter } from '../util/fixed-window-limiter.js';

export interface AccessOptions {
  /** Accepted API keys; empty means the API is open. */
  apiKeys: readonly string[];
  /** Requests per minute per API key (or per client address without one); 0 turns rate limiting off. */
  ratePerMinute: number;
  /** Origins allowed to call the API from a browser; empty means same-origin only, "*" any. */
  corsOrigins: readonly string[];
}

/** The API key a request carries: `Authorization: Bearer`, `X-API-Key`, or `?api_key=` (browser WebSockets). */
export function apiKeyOf(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header.trim();
  const query = (request.query as Record<string, unknown> | undefined)?.api_key;
  return typeof query === 'string' ? query : null;
}

function matchesAny(key: string, keys: readonly Buffer[]): boolean {
  const given = Buffer.from(key);
  // Compare with every key, each in constant time, so timing tells nothing about which key is near.
  let found = false;
  for (const k of keys) if (k.length === given.length && timingSafeEqual(k, given)) found = true;
  return found;
}

/**
 * Refuses a request. A WebSocket upgrade gets a plain HTTP answer written to its socket, which is then closed:
 * the usual reply would leave the upgrade socket open.
 */
function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  err: CodeRunnerError,
): CodeRunnerError | undefined {
  if (request.headers.upgrade?.toLowerCase() !== 'websocket') return err;
  reply.hijack();
  const body = JSON.stringify({ code: err.code, message: err.message });
  const headers = Object.entries(err.headers).map(([k, v]) => `${k}: ${v}\r\n`);
  request.raw.socket.end(
    `HTTP/1.1 ${err.statusCode} ${err.statusCode === 401 ? 'Unauthorized' : 'Too Many Requests'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers.join('')}` +
      `Connection: close\r\n\r\n${body}`,
  );
  return undefined;
}

/**
 * API keys, per-key (or per-address) rate limits and CORS for `/api/*`. `/healthz` and the web client stay open;
 * they reveal nothing secret.
 */
export async function registerAccessControl(app: FastifyInstance, options: AccessOptions): Promise<void> {
  if (options.corsOrigins.length > 0) {
    const any = options.corsOrigins.includes('*');
    await app.register(fastifyCors, {
      origin: any ? true : [...options.corsOrigins],
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key'],
      maxAge: 600,
    });
  }
  const keys = options.apiKeys.map((k) => Buffer.from(k));
  const limiter = options.ratePerMinute > 0 ? new FixedWindowLimiter(options.ratePerMinute, 60000) : null;
  if (keys.length === 0 && !limiter) return;
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/') || request.method === 'OPTIONS') return;
    const key = keys.length > 0 ? apiKeyOf(request) : null;
    if (keys.length > 0) {
      if (key === null) throw refuse(request, reply, createError('CR_ERR_AUTH_MISSING_KEY')) ?? reply;
      if (!matchesAny(key, keys))
        throw refuse(request, reply, createError('CR_ERR_AUTH_INVALID_KEY')) ?? reply;
    }
    if (limiter) {
      const retryAfterMs = limiter.take(key ? `key:${key}` : `ip:${request.ip}`);
      if (retryAfterMs > 0) {
        const seconds = Math.ceil(retryAfterMs / 1000);
        const err = createError(
          'CR_ERR_HTTP_RATE_LIMITED',
          `at most ${options.ratePerMinute} per minute; retry in ${seconds} s`,
          {
            'Retry-After': String(seconds),
          },
        );
        throw refuse(request, reply, err) ?? reply;
      }
    }
  });
}
