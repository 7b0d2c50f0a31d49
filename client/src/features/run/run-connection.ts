// One run's connection: a ticket from `POST /api/v1/ws-tickets` (the keyed REST call), then the WebSocket
// admitted by that ticket, whose frames are checked against the protocol. The API key never reaches the URL.
import { parseServerMessage, type ClientMessage } from '@coderunner/protocol';
import { errorMessage, type ApiClient, ApiError } from '../../lib/api/api-client';
import { createWsTicket, runSocketUrl } from '../../lib/api/ws-ticket';
import type { RunMessage } from './build-run-message';
import type { RunEvent } from './run-session-reducer';

/** What the connection needs of a WebSocket (the browser's, or a fake in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
}

export interface RunConnectionDeps {
  api: ApiClient;
  location: Pick<Location, 'protocol' | 'host'>;
  openSocket: (url: string) => SocketLike;
}

export interface RunConnection {
  /** Sends a message on the open socket; false while it is not open (still fetching the ticket, or closed). */
  send(message: ClientMessage): boolean;
  /** Ends the connection: abandons the ticket request, or closes the socket (the server then kills the program). */
  close(): void;
}

const OPEN = 1;

/**
 * Opens a connection for `message` and reports what happens as run-session events: frames, the close code, or
 * why no connection could be opened.
 */
export function openRunConnection(
  message: RunMessage,
  deps: RunConnectionDeps,
  onEvent: (event: RunEvent) => void,
): RunConnection {
  const abort = new AbortController();
  let socket: SocketLike | null = null;

  createWsTicket(deps.api, abort.signal).then(
    (ticket) => {
      if (abort.signal.aborted) {
        onEvent({ type: 'connect-failed', error: { code: 'aborted', message: 'the run was abandoned' } });
        return;
      }
      const opened = deps.openSocket(runSocketUrl(deps.location, ticket.ticket));
      socket = opened;
      let wasOpen = false;
      opened.onopen = () => {
        wasOpen = true;
        opened.send(JSON.stringify(message));
      };
      opened.onmessage = (event) => {
        const parsed = parseServerMessage(event.data);
        if (parsed) onEvent({ type: 'message', message: parsed });
        else
          console.warn(
            'CodeRunner: ignored a run frame that does not match the protocol:',
            String(event.data).slice(0, 200),
          );
      };
      opened.onclose = (event) => {
        // A refused upgrade (a used or expired ticket, a rate limit) shows in a browser only as 1006 before open.
        if (wasOpen) onEvent({ type: 'closed', code: event.code });
        else
          onEvent({
            type: 'connect-failed',
            error: {
              code: `close_${event.code}`,
              message: `the server did not accept the connection (code ${event.code}); try again`,
            },
          });
      };
    },
    (err: unknown) => {
      if (abort.signal.aborted) {
        onEvent({ type: 'connect-failed', error: { code: 'aborted', message: 'the run was abandoned' } });
        return;
      }
      const code = err instanceof ApiError ? err.code : 'network';
      onEvent({ type: 'connect-failed', error: { code, message: errorMessage(err) } });
    },
  );

  return {
    send(next) {
      if (!socket || socket.readyState !== OPEN) return false;
      socket.send(JSON.stringify(next));
      return true;
    },
    close() {
      abort.abort();
      socket?.close();
    },
  };
}
