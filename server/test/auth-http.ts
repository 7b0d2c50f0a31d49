// Exact-bytes HTTP over loopback for access-control tests: fetch and ws normalise URLs (`..`, `.`, fragments)
// before sending, so spellings a router might normalise differently are sent through a raw socket instead.
import { connect } from 'node:net';
import WebSocket from 'ws';

export interface RawResponse {
  /** Status code of the answer, 0 when none arrived. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** True when the server had not closed the connection within the timeout (an upgrade it accepted, say). */
  timedOut: boolean;
}

/** Sends `text` as is to 127.0.0.1:`port` and reads until the server closes, at most `timeoutMs`. */
export function rawHttp(port: number, text: string, timeoutMs = 3000): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('latin1');
      const split = raw.indexOf('\r\n\r\n');
      const head = split < 0 ? raw : raw.slice(0, split);
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0);
      resolve({ status, headers, body: split < 0 ? '' : raw.slice(split + 4), timedOut });
    });
    socket.write(text);
  });
}

/** A request in exact bytes; `body` makes it JSON with a Content-Length. */
export function httpText(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): string {
  const all: Record<string, string> = { host: '127.0.0.1', connection: 'close', ...headers };
  if (body !== undefined) {
    all['content-type'] = 'application/json';
    all['content-length'] = String(Buffer.byteLength(body));
  }
  const lines = Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join('')}\r\n${body ?? ''}`;
}

/** A WebSocket upgrade request in exact bytes. */
export function upgradeText(target: string, headers: Record<string, string> = {}): string {
  return httpText('GET', target, {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    ...headers,
  });
}

/** Outcome of opening a WebSocket with the `ws` package: open (101), or the HTTP answer that refused it. */
export type WsAttempt =
  | { status: 101; socket: WebSocket }
  | { status: number; body: string; headers: Record<string, string | string[] | undefined> };

/** Opens a WebSocket, resolving once it is open or refused (within `timeoutMs`). */
export function openWebSocket(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<WsAttempt> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`WebSocket ${url}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('open', () => {
      clearTimeout(timer);
      resolve({ status: 101, socket });
    });
    socket.on('unexpected-response', (req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    socket.on('error', () => undefined);
  });
}
