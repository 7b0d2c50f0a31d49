import type { FastifyInstance } from 'fastify';
import type { RunService } from '../runs/run-service.js';
import type { SandboxPools } from '../sandbox/sandbox-pools.js';
import type { SandboxDriver } from '../sandbox/sandbox.js';

/** `GET /healthz`: 200 with pool state when the Docker engine answers, 503 when it does not. */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { driver: SandboxDriver; pools: SandboxPools; runs: RunService },
): void {
  app.get('/healthz', async (_request, reply) => {
    let engine: { ok: boolean; message?: string };
    try {
      await deps.driver.ping();
      engine = { ok: true };
    } catch {
      engine = { ok: false, message: 'the container engine does not answer' };
    }
    const pools = deps.pools
      .stats()
      .map(({ lastError, ...rest }) => ({ ...rest, failing: lastError !== null }));
    const body = { status: engine.ok ? 'ok' : 'unavailable', engine, queue: deps.runs.queueStats(), pools };
    return reply.code(engine.ok ? 200 : 503).send(body);
  });
}
