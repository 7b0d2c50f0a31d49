import type { FastifyError, FastifyInstance } from 'fastify';
import { CodeRunnerError, createError } from './errors.js';

/** Maps Fastify's own errors (body parsing, limits) onto registry codes. */
function translateFastifyError(err: FastifyError, bodyLimit: number): CodeRunnerError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return createError('CR_ERR_HTTP_BODY_TOO_LARGE', bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return createError(
        'CR_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
        JSON.stringify(err.message.split(': ').pop() ?? ''),
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return createError('CR_ERR_HTTP_INVALID_JSON', 'the body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return createError('CR_ERR_HTTP_INVALID_JSON', 'Content-Length does not match the body');
    default:
      break;
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return createError('CR_ERR_HTTP_INVALID_JSON', err.message);
  }
  return null;
}

/**
 * Installs the one error handler: registry errors become `{ code, message }` with their status; anything
 * unknown is logged and becomes a 500 that reveals nothing internal.
 */
export function installErrorHandler(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = err instanceof CodeRunnerError ? err : translateFastifyError(err, bodyLimit);
    if (known) {
      if (known.statusCode >= 500) request.log.warn({ code: known.code }, known.message);
      return reply
        .code(known.statusCode)
        .headers(known.headers)
        .send({ code: known.code, message: known.message });
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      // A client error Fastify raised that has no registry entry yet: keep its status, never leak a stack.
      request.log.info({ err }, 'unmapped client error');
      return reply.code(err.statusCode).send({ code: 'CR_ERR_RUN_INVALID_REQUEST', message: err.message });
    }
    request.log.error({ err }, 'unhandled error');
    const internal = createError('CR_ERR_SERVER_INTERNAL');
    return reply.code(500).send({ code: internal.code, message: internal.message });
  });
  app.setNotFoundHandler((request, reply) => {
    const err = createError('CR_ERR_HTTP_NOT_FOUND', `${request.method} ${request.url.split('?')[0] ?? ''}`);
    return reply.code(404).send({ code: err.code, message: err.message });
  });
}
