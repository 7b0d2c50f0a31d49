import type { FastifyInstance } from 'fastify';
import type { RunService } from '../runs/run-service.js';

/** `POST /api/v1/runs`: run a project and reply with its result. */
export function registerRunsRoutes(app: FastifyInstance, runs: RunService): void {
  app.post('/api/v1/runs', async (request) => runs.run(request.body));
}
