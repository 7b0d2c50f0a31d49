import { useCallback, useEffect, useReducer, useRef } from 'react';
import { apiKey } from '../../lib/api/api-key';
import { parseServerMessage, type ClientMessage } from '../../lib/api/run-protocol';
import type { RunMessage } from './build-run-message';
import { IDLE_SESSION, reduceRunSession, type RunSessionState } from './run-session-reducer';

/** The same-origin WebSocket address of the streaming run endpoint, with the API key when there is one. */
export function runSocketUrl(
  location: Pick<Location, 'protocol' | 'host'>,
  key: string | null = null,
): string {
  const query = key ? `?api_key=${encodeURIComponent(key)}` : '';
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/runs/ws${query}`;
}

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

/** One WebSocket per run (docs/api.md); frames from a replaced connection are ignored. */
export function useRunSession(): RunSession {
  const [state, dispatch] = useReducer(reduceRunSession, IDLE_SESSION);
  const socketRef = useRef<WebSocket | null>(null);

  const send = useCallback((message: ClientMessage): boolean => {
    const socket = socketRef.current;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }, []);

  const start = useCallback((message: RunMessage) => {
    socketRef.current?.close();
    dispatch({ type: 'start' });
    const socket = new WebSocket(runSocketUrl(window.location, apiKey()));
    socketRef.current = socket;
    socket.onopen = () => socket.send(JSON.stringify(message));
    socket.onmessage = (event: MessageEvent) => {
      if (socketRef.current !== socket) return;
      const parsed = parseServerMessage(event.data);
      if (parsed) dispatch({ type: 'message', message: parsed });
    };
    socket.onclose = (event: CloseEvent) => {
      if (socketRef.current !== socket) return;
      socketRef.current = null;
      dispatch({ type: 'closed', code: event.code });
    };
  }, []);

  const stop = useCallback(() => {
    dispatch({ type: 'stop' });
    // Before the connection is open there is nothing to kill yet: closing it drops the run.
    if (!send({ type: 'stop' })) socketRef.current?.close();
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

  useEffect(() => () => socketRef.current?.close(), []);

  return { state, start, refuse, stop, sendInput, closeInput };
}
