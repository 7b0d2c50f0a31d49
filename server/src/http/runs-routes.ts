import type { FastifyInstance } from 'fastify';
import type { RunService } from '../runs/run-service.js';

/**
 * `POST /api/v1/runs`: run a project and reply with its result. A client that disconnects before the reply
 * cancels its run: a queued run is dropped, a running one is killed and its container freed.
 */
export function registerRunsRoutes(app: FastifyInstance, runs: RunService): void {
  app.post('/api/v1/runs', async (request, reply) => {
    const prepared = runs.prepare(request.body);
    const gone = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableEnded) gone.abort(new Error('the client disconnected'));
    };
    reply.raw.on('close', onClose);
    try {
      return await runs.execute(prepared, { signal: gone.signal });
    } finally {
      reply.raw.off('close', onClose);
    }
  });
}
