import type { FastifyInstance } from 'fastify';
import type { RunService } from '../runs/run-service.js';
import type { WorkerAnnouncement } from '../runs/remote/workers.js';
import type { PoolStats } from '../sandbox/warm-pool.js';
import type { SandboxDriver } from '../sandbox/sandbox.js';

const check = {
  type: 'object',
  required: ['ok'],
  properties: { ok: { type: 'boolean' }, message: { type: 'string' } },
};
const healthBody = {
  type: 'object',
  required: ['status', 'queue', 'pools'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    engine: { ...check, description: 'This process’s container engine (embedded mode).' },
    redis: { ...check, description: 'The run queue (distributed mode).' },
    workers: { type: 'array', items: { type: 'object' }, description: 'Live workers (distributed mode).' },
    queue: {
      type: 'object',
      properties: { running: { type: 'integer' }, queued: { type: 'integer' } },
    },
    pools: { type: 'array', items: { type: 'object', description: 'One warm pool’s state.' } },
  },
};

const schema = {
  tags: ['operations'],
  summary: 'Health',
  description: 'Open without a key (for load balancers and probes); says nothing secret.',
  security: [],
  response: {
    200: { ...healthBody, description: 'Runs can execute.' },
    503: { ...healthBody, description: 'Runs cannot execute: the engine, Redis or every worker is gone.' },
  },
};

export interface HealthSources {
  /** This process's container engine (absent on an API-only process). */
  driver?: Pick<SandboxDriver, 'ping'>;
  /** Warm pools: this process's, or every live worker's summed. */
  pools: () => PoolStats[];
  runs: Pick<RunService, 'queueStats'>;
  /** The distributed mode's queue: Redis, and the workers announced on it. */
  queue?: { ping(): Promise<void>; workers(): readonly WorkerAnnouncement[] };
}

/**
 * `GET /healthz`: 200 when runs can execute — the Docker engine answers (embedded mode), or Redis answers and at
 * least one worker is live (API process) — else 503; with pool and queue state either way.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthSources): void {
  app.get('/healthz', { config: { openapi: schema } }, async (_request, reply) => {
    let ok = true;
    const body: Record<string, unknown> = { status: 'ok' };
    if (deps.driver) {
      try {
        await deps.driver.ping();
        body.engine = { ok: true };
      } catch {
        ok = false;
        body.engine = { ok: false, message: 'the container engine does not answer' };
      }
    }
    if (deps.queue) {
      try {
        await deps.queue.ping();
        body.redis = { ok: true };
      } catch {
        ok = false;
        body.redis = { ok: false, message: 'Redis does not answer' };
      }
      const now = Date.now();
      const workers = deps.queue.workers().map((w) => ({
        id: w.id,
        host: w.host,
        group: w.group,
        sandboxRuntime: w.sandboxRuntime,
        languages: w.runtimes.length,
        running: w.running,
        concurrency: w.concurrency,
        seenMsAgo: now - w.seenAt,
      }));
      if (workers.length === 0) ok = false;
      body.workers = workers;
    }
    body.queue = deps.runs.queueStats();
    body.pools = deps.pools().map(({ lastError, ...rest }) => ({ ...rest, failing: lastError !== null }));
    body.status = ok ? 'ok' : 'unavailable';
    return reply.code(ok ? 200 : 503).send(body);
  });
}
