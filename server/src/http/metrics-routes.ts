import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../observability/metrics.js';

/** `GET /metrics`: Prometheus text exposition of the server's metrics. */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
