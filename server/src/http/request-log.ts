import type { ChildLoggerOptions } from 'pino';

/** What a redacted value reads as in the log (pino's own censor text). */
export const REDACTED = '[Redacted]';

/**
 * Names of URL parameters whose values are, or may be, secrets: api_key, key, token, access_token, ticket,
 * password, signature, session, code... A name that merely looks like one is redacted too; a log loses little.
 */
const SECRET_NAME = /key|token|ticket|secret|pass|pwd|auth|sig|session|credential|^code$/i;

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/** Redacts the values of secret-named `name=value` pairs, split on `&` and `;`, keeping everything else verbatim. */
function redactParams(params: string): string {
  return params
    .split(/([&;])/)
    .map((part) => {
      const eq = part.indexOf('=');
      return eq > 0 && SECRET_NAME.test(decodeName(part.slice(0, eq)))
        ? `${part.slice(0, eq)}=${REDACTED}`
        : part;
    })
    .join('');
}

/**
 * The URL as it may be logged: values of secret-named parameters in the query, the fragment and `;` path
 * parameters are replaced by [Redacted]; the path and other parameters stay as sent, for debugging.
 *
 * @example
 *   redactUrl('/api/v1/runs/ws?ticket=abc&x=1'); // '/api/v1/runs/ws?ticket=[Redacted]&x=1'
 */
export function redactUrl(url: string): string {
  const hash = url.indexOf('#');
  const fragment = hash < 0 ? '' : `#${redactParams(url.slice(hash + 1))}`;
  const beforeHash = hash < 0 ? url : url.slice(0, hash);
  const question = beforeHash.indexOf('?');
  const query = question < 0 ? '' : `?${redactParams(beforeHash.slice(question + 1))}`;
  const path = question < 0 ? beforeHash : beforeHash.slice(0, question);
  const semicolon = path.indexOf(';');
  const redactedPath = semicolon < 0 ? path : path.slice(0, semicolon) + redactParams(path.slice(semicolon));
  return redactedPath + query + fragment;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number } | null;
}

/** Fastify's request serializer with the URL redacted; headers are never logged. */
export function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : undefined,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** Header paths pino blanks wherever headers get logged (defence in depth: the serializer logs none). */
const SECRET_HEADER_PATHS = ['authorization', '["x-api-key"]', 'cookie', '["proxy-authorization"]'].flatMap(
  (h) => [`headers${h.startsWith('[') ? h : `.${h}`}`, `*.headers${h.startsWith('[') ? h : `.${h}`}`],
);

/**
 * Logger options that keep secrets out of logs: the request serializer above and pino `redact` for
 * `Authorization`, `X-API-Key`, `Cookie` and `Proxy-Authorization` headers. main.ts builds its logger with
 * them and buildApp applies them again to whatever logger it is given.
 */
export const logRedaction = {
  redact: { paths: SECRET_HEADER_PATHS, censor: REDACTED },
  serializers: { req: serializeRequest },
} satisfies ChildLoggerOptions;
