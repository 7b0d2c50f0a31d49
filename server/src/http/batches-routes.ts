import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CodeRunnerError, createError } from '../errors/errors.js';
import type { PreparedRun, RunService } from '../runs/run-service.js';
import { errorReplies, ref } from './openapi.js';
import { keyIdOf } from './runs-routes.js';

const queued = {
  type: 'object',
  required: ['id', 'status'],
  properties: { id: { type: 'string' }, status: { type: 'string', const: 'queued' } },
};

const schema = {
  tags: ['runs'],
  summary: 'Queue several runs',
  description:
    'Validates every run first (all or nothing: the first bad one answers its 4xx, its message prefixed ' +
    '`runs[i]: `), then queues each like a `?wait=false` run; read the results at GET /api/v1/runs/{id} or ' +
    'have them POSTed to each run’s callbackUrl. At most RUN_BATCH_MAX runs.',
  body: {
    type: 'object',
    required: ['runs'],
    additionalProperties: false,
    properties: { runs: { type: 'array', minItems: 1, items: ref('RunRequest') } },
  },
  response: {
    202: {
      type: 'object',
      description: 'Queued, in request order.',
      required: ['id', 'runs'],
      properties: {
        id: { type: 'string', description: 'The batch’s id.' },
        runs: { type: 'array', items: queued },
      },
    },
    ...errorReplies(400, 413, 415, 503),
  },
};

/** The runs of a batch body, or a 400 naming what is wrong with its shape. */
function runsOf(body: unknown, maxRuns: number): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw createError('CR_ERR_BATCH_BAD_BODY', 'the body is not an object');
  }
  const extra = Object.keys(body).filter((k) => k !== 'runs');
  if (extra.length > 0) {
    throw createError('CR_ERR_BATCH_BAD_BODY', `unknown field ${JSON.stringify(extra[0]!.slice(0, 40))}`);
  }
  const runs = (body as { runs?: unknown }).runs;
  if (!Array.isArray(runs)) throw createError('CR_ERR_BATCH_BAD_BODY', '"runs" must be an array');
  if (runs.length === 0) throw createError('CR_ERR_BATCH_EMPTY');
  if (runs.length > maxRuns) throw createError('CR_ERR_BATCH_TOO_LARGE', [maxRuns, runs.length]);
  return runs;
}

/**
 * `POST /api/v1/batches`: `{ runs: [run request, …] }` (1..RUN_BATCH_MAX) → 202 `{ id, runs: [{ id, status:
 * "queued" }] }` in request order. Every run is validated before any is submitted (all or nothing: the first
 * bad one answers its own 4xx, its message prefixed `runs[i]: `); each then goes on like a `?wait=false` run,
 * its result at `GET /api/v1/runs/{id}` and, with a callbackUrl, its webhook. The whole body is bounded by
 * RUN_MAX_BODY_KB like any request body.
 */
export function registerBatchesRoutes(
  app: FastifyInstance,
  runs: RunService,
  options: { maxRuns: number },
): void {
  app.post('/api/v1/batches', { config: { openapi: schema } }, async (request, reply) => {
    const bodies = runsOf(request.body, options.maxRuns);
    const prepared: PreparedRun[] = bodies.map((body, i) => {
      try {
        return runs.prepare(body);
      } catch (err) {
        if (err instanceof CodeRunnerError) {
          throw new CodeRunnerError(err.code, `runs[${i}]: ${err.message}`, { ...err.headers });
        }
        throw err;
      }
    });
    const keyId = keyIdOf(request);
    const id = randomUUID();
    const accepted: Array<{ id: string; status: 'queued' }> = [];
    // In order, so the runs are queued in the order the client listed them.
    for (const run of prepared) accepted.push({ ...(await runs.submit(run, keyId)), status: 'queued' });
    request.log.info({ batch: id, runs: accepted.length }, 'batch accepted');
    return reply.code(202).send({ id, runs: accepted });
  });
}
