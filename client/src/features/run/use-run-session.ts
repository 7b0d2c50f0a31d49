import type { ClientMessage } from '@coderunner/protocol';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { ApiClient } from '../../lib/api/api-client';
import type { RunMessage } from './build-run-message';
import { openRunConnection, type RunConnection } from './run-connection';
import { IDLE_SESSION, reduceRunSession, type RunSessionState } from './run-session-reducer';

export interface RunSession {
  state: RunSessionState;
  /** Starts a run on a new connection; a run still going on is dropped (the server kills it). */
  start: (message: RunMessage) => void;
  /** Shows why the project cannot run, without contacting the server. */
  refuse: (reason: string) => void;
  stop: () => void;
  sendInput: (text: string) => void;
  closeInput: () => void;
}

/** One ticket and one WebSocket per run (docs/api.md); events from a replaced connection are ignored. */
export function useRunSession(api: ApiClient): RunSession {
  const [state, dispatch] = useReducer(reduceRunSession, IDLE_SESSION);
  const connectionRef = useRef<RunConnection | null>(null);

  const send = useCallback((message: ClientMessage): boolean => {
    return connectionRef.current?.send(message) ?? false;
  }, []);

  const start = useCallback(
    (message: RunMessage) => {
      connectionRef.current?.close();
      const tests = message.request.tests?.length;
      dispatch(tests === undefined ? { type: 'start' } : { type: 'start', tests });
      const connection: RunConnection = openRunConnection(
        message,
        { api, location: window.location, openSocket: (url) => new WebSocket(url) },
        (event) => {
          if (connectionRef.current !== connection) return;
          if (event.type === 'closed' || event.type === 'connect-failed') connectionRef.current = null;
          dispatch(event);
        },
      );
      connectionRef.current = connection;
    },
    [api],
  );

  const stop = useCallback(() => {
    dispatch({ type: 'stop' });
    // Before the socket is open there is nothing to kill yet: closing the connection drops the run.
    if (!send({ type: 'stop' })) connectionRef.current?.close();
  }, [send]);

  const sendInput = useCallback(
    (text: string) => {
      if (send({ type: 'stdin', data: text })) dispatch({ type: 'typed', text });
    },
    [send],
  );

  const closeInput = useCallback(() => {
    if (send({ type: 'stdin-close' })) dispatch({ type: 'eof' });
  }, [send]);

  const refuse = useCallback((reason: string) => dispatch({ type: 'refused', message: reason }), []);

  useEffect(() => () => connectionRef.current?.close(), []);

  return { state, start, refuse, stop, sendInput, closeInput };
}
