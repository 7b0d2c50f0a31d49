// A WebSocket never carries the API key: before each run the editor asks for a single-use ticket (valid ~30 s)
// with a keyed REST call, and connects with the ticket instead. A server without keys hands out tickets too.
import { WS_TICKET_PARAM, wsTicketSchema, type WsTicket } from '@coderunner/protocol';
import type { ApiClient } from './api-client';

/** `POST /api/v1/ws-tickets`: a ticket for one connection to the streaming run endpoint. */
export function createWsTicket(api: ApiClient, signal?: AbortSignal): Promise<WsTicket> {
  return api.post('/api/v1/ws-tickets', undefined, wsTicketSchema, signal);
}

/** The same-origin address of the streaming run endpoint, admitted by `ticket`. */
export function runSocketUrl(location: Pick<Location, 'protocol' | 'host'>, ticket: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api/v1/runs/ws?${WS_TICKET_PARAM}=${encodeURIComponent(ticket)}`;
}
