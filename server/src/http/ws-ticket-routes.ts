import type { FastifyInstance } from 'fastify';
import { callerOf } from './access-control.js';
import { errorReplies, ref } from './openapi.js';
import type { WsTickets } from './ws-tickets.js';

const schema = {
  tags: ['websocket'],
  summary: 'A single-use WebSocket ticket',
  description:
    'For browsers, which cannot send an API key header on a WebSocket: open GET /api/v1/runs/ws?ticket=… ' +
    'once, within `expiresInMs`. Counted against the key that asked for it.',
  response: {
    201: ref('WsTicket', 'The ticket (not cached: `Cache-Control: no-store`).'),
    ...errorReplies(),
  },
};

/**
 * `POST /api/v1/ws-tickets`: a single-use ticket for `GET /api/v1/runs/ws?ticket=…`, counted against the
 * caller's key. Register it inside the protected scope: the caller is authenticated by then.
 */
export function registerWsTicketRoutes(scope: FastifyInstance, tickets: WsTickets): void {
  scope.post('/api/v1/ws-tickets', { config: { openapi: schema } }, async (request, reply) => {
    const issued = await tickets.issue({ rateKey: callerOf(request).rateKey });
    // A ticket is a credential: no cache may keep it.
    return reply.code(201).header('cache-control', 'no-store').send(issued);
  });
}
