import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createError } from '../errors/errors.js';
import type { RunService } from '../runs/run-service.js';
import { runView } from '../store/run-view.js';
import { callerOf } from './access-control.js';
import { errorReplies, ref } from './openapi.js';

/** The caller's key as the run store keeps it: a short prefix of its hash, or null on an open server. */
export function keyIdOf(request: FastifyRequest): string | null {
  const rateKey = callerOf(request).rateKey;
  return rateKey.startsWith('key:') ? rateKey.slice(4, 20) : null;
}

/**
 * From now on every log line of this request names its run (`run: <id>`), Fastify's own `request completed` and
 * the error handler's included. For the compatibility adapters too, once they have prepared their run.
 */
export function tagRequestWithRun(request: FastifyRequest, reply: FastifyReply, runId: string): void {
  const log = request.log.child({ run: runId });
  request.log = log;
  reply.log = log;
}

const postRunSchema = {
  tags: ['runs'],
  summary: 'Run a project',
  description:
    'Compiles and runs the files (or runs each test case) and replies with the result once the run ends. ' +
    'A program that fails is a result (`status`), not an error. With `?wait=false` the reply is 202 at once ' +
    'and the result is read later at GET /api/v1/runs/{id}. A client that disconnects cancels its run.',
  querystring: {
    type: 'object',
    properties: {
      wait: {
        type: 'string',
        enum: ['true', 'false'],
        default: 'true',
        description: '`false`: queue the run and reply 202 with its id (needs the run store).',
      },
    },
  },
  body: ref('RunRequest'),
  response: {
    200: {
      ...ref(
        'RunResponse',
        'The run ended; `status` says how (ok, compile_error, runtime_error, timeout...).',
      ),
      headers: { 'X-Run-Id': { type: 'string', description: 'The run’s id, also in the body.' } },
    },
    202: {
      type: 'object',
      description: 'Queued (`?wait=false`): poll GET /api/v1/runs/{id}.',
      required: ['id', 'status'],
      properties: { id: { type: 'string' }, status: { type: 'string', const: 'queued' } },
      headers: { 'X-Run-Id': { type: 'string' } },
    },
    ...errorReplies(400, 413, 415, 503),
  },
};

const getRunSchema = {
  tags: ['runs'],
  summary: 'A recorded run',
  description:
    'The state of a run and, once it has ended, its result. Only the key that created a run can read it.',
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', description: 'The run’s id (from its reply or X-Run-Id).' } },
  },
  response: { 200: ref('RunView', 'The run as recorded.'), ...errorReplies(404) },
};

/**
 * `POST /api/v1/runs`: run a project and reply with its result; with `?wait=false`, 202 `{ id, status: "queued" }`
 * at once and the result later at `GET /api/v1/runs/{id}`. A client that disconnects before a waited-for reply
 * cancels its run: a queued run is dropped, a running one is killed and its container freed.
 */
export function registerRunsRoutes(app: FastifyInstance, runs: RunService): void {
  app.post('/api/v1/runs', { config: { openapi: postRunSchema } }, async (request, reply) => {
    const wait = (request.query as Record<string, unknown>).wait;
    if (wait !== undefined && wait !== 'true' && wait !== 'false') {
      throw createError(
        'CR_ERR_RUN_BAD_WAIT',
        (typeof wait === 'string' ? wait : JSON.stringify(wait)).slice(0, 40),
      );
    }
    const prepared = runs.prepare(request.body);
    tagRequestWithRun(request, reply, prepared.id);
    // On every reply once the run is admitted: 200, 202 and the errors after admission (429, 503) alike.
    void reply.header('x-run-id', prepared.id);
    if (wait === 'false') {
      const { id } = await runs.submit(prepared, keyIdOf(request));
      return reply.code(202).send({ id, status: 'queued' });
    }
    const gone = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableEnded) gone.abort(new Error('the client disconnected'));
    };
    reply.raw.on('close', onClose);
    try {
      const result = await runs.execute(prepared, { signal: gone.signal, keyId: keyIdOf(request) });
      // One line per run that ended with a result: what an operator greps for (never code, stdin or key).
      request.log.info(
        { language: prepared.runtime.language, status: result.status, ms: result.timings.totalMs },
        'run finished',
      );
      return result;
    } finally {
      reply.raw.off('close', onClose);
    }
  });

  app.get('/api/v1/runs/:id', { config: { openapi: getRunSchema } }, async (request) => {
    const { id } = request.params as { id: string };
    const record = await runs.lookup(id, keyIdOf(request));
    if (!record) throw createError('CR_ERR_RUN_NOT_FOUND', id.slice(0, 80));
    return runView(record);
  });
}
