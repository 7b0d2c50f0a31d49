import { describe, expect, it, vi } from 'vitest';
import { createApiClient } from '../../lib/api/api-client';
import { createKeyStore } from '../../lib/api/api-key';
import { fakeFetch, headersOf } from '../../testing/fake-fetch';
import type { RunMessage } from './build-run-message';
import { openRunConnection, type SocketLike } from './run-connection';
import type { RunEvent } from './run-session-reducer';

const message: RunMessage = {
  type: 'run',
  request: { language: 'python', files: [{ name: 'main.py', content: 'print(1)' }] },
  stdinOpen: true,
};
const location = { protocol: 'https:', host: 'runner.example:8443' };
const ticket = (value: string) => ({ status: 201, body: { ticket: value, expiresInMs: 30000 } });

/** A WebSocket stand-in: records the URL and what is sent; the test opens, feeds and closes it. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  closed = false;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  receive(data: unknown) {
    this.onmessage?.({ data } as MessageEvent);
  }
  end(code: number) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}

function setup(replies: Parameters<typeof fakeFetch>[0], key: string | null = null) {
  const keys = createKeyStore({ session: null, local: null });
  if (key !== null) keys.set(key, 'memory');
  const { fetch, calls } = fakeFetch(replies);
  const sockets: FakeSocket[] = [];
  const events: RunEvent[] = [];
  const deps = {
    api: createApiClient({ keys, fetch }),
    location,
    openSocket: (url: string) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
  };
  return { keys, calls, sockets, events, deps, onEvent: (e: RunEvent) => void events.push(e) };
}

/** Waits until `check` holds, a few event-loop turns at most (the fake fetch answers at once). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !check(); i++) await new Promise((r) => setTimeout(r, 0));
  expect(check()).toBe(true);
}

describe('a run connection', () => {
  it('gets a ticket with the key header, then connects with the ticket alone and sends the run', async () => {
    const t = setup([ticket('t-1/+')], 'secret-key');
    const connection = openRunConnection(message, t.deps, t.onEvent);
    expect(connection.send({ type: 'stdin', data: 'early' })).toBe(false);
    await until(() => t.sockets.length === 1);
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0]).toMatchObject({ url: '/api/v1/ws-tickets', method: 'POST', body: null });
    expect(headersOf(t.calls[0])['x-api-key']).toBe('secret-key');
    const socket = t.sockets[0] as FakeSocket;
    expect(socket.url).toBe('wss://runner.example:8443/api/v1/runs/ws?ticket=t-1%2F%2B');
    expect(socket.url).not.toContain('secret-key');
    socket.open();
    expect(socket.sent.map((s) => JSON.parse(s) as unknown)).toEqual([message]);
    expect(connection.send({ type: 'stdin', data: 'Ada\n' })).toBe(true);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    socket.receive('{"type":"accepted","language":"python","version":"3.13"}');
    socket.receive('{"type":"stdout","stage":"run","data":7}');
    socket.receive('not json');
    expect(warn.mock.calls.map((call) => call[1])).toEqual([
      '{"type":"stdout","stage":"run","data":7}',
      'not json',
    ]);
    warn.mockRestore();
    socket.end(1000);
    expect(t.events).toEqual([
      { type: 'message', message: { type: 'accepted', language: 'python', version: '3.13' } },
      { type: 'closed', code: 1000 },
    ]);
  });

  it('connects with a ticket on a server without keys too, sending no key at all', async () => {
    const t = setup([ticket('open')]);
    openRunConnection(message, t.deps, t.onEvent);
    await until(() => t.sockets.length === 1);
    expect(headersOf(t.calls[0])).not.toHaveProperty('x-api-key');
    expect(t.sockets[0]?.url).toBe('wss://runner.example:8443/api/v1/runs/ws?ticket=open');
  });

  it('asks for a key when the ticket request is refused, and connects once one is given', async () => {
    const t = setup([
      { status: 401, body: { code: 'CR_ERR_AUTH_MISSING_KEY', message: 'needs a key' } },
      ticket('t2'),
    ]);
    openRunConnection(message, t.deps, t.onEvent);
    await until(() => t.keys.snapshot().request !== null);
    expect(t.sockets).toHaveLength(0);
    t.keys.set('given', 'memory');
    await until(() => t.sockets.length === 1);
    expect(headersOf(t.calls[1])['x-api-key']).toBe('given');
    expect(t.sockets[0]?.url).toMatch(/\?ticket=t2$/);
  });

  it('fails with the server words when no ticket is given, and never opens a socket', async () => {
    const t = setup([
      { status: 429, body: { code: 'CR_ERR_HTTP_RATE_LIMITED', message: 'Too many requests: wait' } },
    ]);
    openRunConnection(message, t.deps, t.onEvent);
    await until(() => t.events.length === 1);
    expect(t.events).toEqual([
      {
        type: 'connect-failed',
        error: { code: 'CR_ERR_HTTP_RATE_LIMITED', message: 'Too many requests: wait' },
      },
    ]);
    expect(t.sockets).toHaveLength(0);
  });

  it('refuses a ticket reply that does not match the protocol', async () => {
    const t = setup([{ status: 201, body: { ticket: 42 } }]);
    openRunConnection(message, t.deps, t.onEvent);
    await until(() => t.events.length === 1);
    expect(t.events[0]).toMatchObject({ type: 'connect-failed', error: { code: 'bad_reply' } });
    expect(t.sockets).toHaveLength(0);
  });

  it('opens no socket when closed while the ticket is on its way, and closes an open one', async () => {
    const t = setup([ticket('late')]);
    openRunConnection(message, t.deps, t.onEvent).close();
    await until(() => t.events.length === 1);
    expect(t.events[0]).toMatchObject({ type: 'connect-failed', error: { code: 'aborted' } });
    expect(t.sockets).toHaveLength(0);

    const u = setup([ticket('t3')]);
    const connection = openRunConnection(message, u.deps, u.onEvent);
    await until(() => u.sockets.length === 1);
    connection.close();
    expect(u.sockets[0]?.closed).toBe(true);
  });

  it('tells a connection refused before it opened from one that dropped mid-run', async () => {
    const t = setup([ticket('used')]);
    openRunConnection(message, t.deps, t.onEvent);
    await until(() => t.sockets.length === 1);
    t.sockets[0]?.end(1006);
    expect(t.events).toEqual([
      {
        type: 'connect-failed',
        error: {
          code: 'close_1006',
          message: 'the server did not accept the connection (code 1006); try again',
        },
      },
    ]);
  });
});
