import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../observability/metrics.js';
import { errorReplies } from './openapi.js';

const schema = {
  tags: ['operations'],
  summary: 'Prometheus metrics',
  description:
    'Runs by language and status, phase latencies, queue and pool gauges (text exposition format).',
  produces: ['text/plain'],
  response: {
    200: {
      description: 'Prometheus text exposition format 0.0.4.',
      content: { 'text/plain': { schema: { type: 'string' } } },
    },
    ...errorReplies(),
  },
};

/** `GET /metrics`: Prometheus text exposition of the server's metrics. */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', { config: { openapi: schema } }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
