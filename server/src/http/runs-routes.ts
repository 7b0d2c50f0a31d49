import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createError } from '../errors/errors.js';
import type { RunService } from '../runs/run-service.js';
import type { RunRecord } from '../store/run-store.js';
import { callerOf } from './access-control.js';

/** The caller's key as the run store keeps it: a short prefix of its hash, or null on an open server. */
function keyIdOf(request: FastifyRequest): string | null {
  const rateKey = callerOf(request).rateKey;
  return rateKey.startsWith('key:') ? rateKey.slice(4, 20) : null;
}

/** What GET /api/v1/runs/{id} shows of a record. */
function view(record: RunRecord) {
  return {
    id: record.id,
    status: record.state,
    language: record.language,
    createdAt: new Date(record.createdAt).toISOString(),
    finishedAt: record.finishedAt === null ? null : new Date(record.finishedAt).toISOString(),
    request: record.request,
    result: record.result,
    error: record.error,
  };
}

/**
 * `POST /api/v1/runs`: run a project and reply with its result; with `?wait=false`, 202 `{ id, status: "queued" }`
 * at once and the result later at `GET /api/v1/runs/{id}`. A client that disconnects before a waited-for reply
 * cancels its run: a queued run is dropped, a running one is killed and its container freed.
 */
export function registerRunsRoutes(app: FastifyInstance, runs: RunService): void {
  app.post('/api/v1/runs', async (request, reply) => {
    const wait = (request.query as Record<string, unknown>).wait;
    if (wait !== undefined && wait !== 'true' && wait !== 'false') {
      throw createError(
        'CR_ERR_RUN_BAD_WAIT',
        (typeof wait === 'string' ? wait : JSON.stringify(wait)).slice(0, 40),
      );
    }
    const prepared = runs.prepare(request.body);
    if (wait === 'false') {
      const { id } = runs.submit(prepared, keyIdOf(request));
      return reply.code(202).send({ id, status: 'queued' });
    }
    const gone = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableEnded) gone.abort(new Error('the client disconnected'));
    };
    reply.raw.on('close', onClose);
    try {
      return await runs.execute(prepared, { signal: gone.signal, keyId: keyIdOf(request) });
    } finally {
      reply.raw.off('close', onClose);
    }
  });

  app.get('/api/v1/runs/:id', async (request) => {
    const { id } = request.params as { id: string };
    const record = await runs.lookup(id, keyIdOf(request));
    if (!record) throw createError('CR_ERR_RUN_NOT_FOUND', id.slice(0, 80));
    return view(record);
  });
}
