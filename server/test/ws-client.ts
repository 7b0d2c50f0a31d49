import WebSocket from 'ws';

export interface Frame {
  type: string;
  at: number;
  [key: string]: unknown;
}

/** Opens a connection, sends the run message, and records every frame with its arrival time. */
export function openRunSocket(url: string, run: object) {
  const socket = new WebSocket(url);
  const frames: Frame[] = [];
  const started = Date.now();
  const waiters: Array<{ test: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  socket.on('open', () => socket.send(JSON.stringify(run)));
  socket.on('message', (raw) => {
    const frame = {
      ...(JSON.parse((raw as Buffer).toString()) as object),
      at: Date.now() - started,
    } as Frame;
    frames.push(frame);
    for (const w of waiters.splice(0)) {
      if (w.test(frame)) w.resolve(frame);
      else waiters.push(w);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const next = (test: (f: Frame) => boolean, timeoutMs = 15000) =>
    new Promise<Frame>((resolve, reject) => {
      const found = frames.find(test);
      if (found) return resolve(found);
      const timer = setTimeout(
        () => reject(new Error(`no such frame in ${timeoutMs} ms: ${JSON.stringify(frames)}`)),
        timeoutMs,
      );
      waiters.push({ test, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  const send = (message: object) => socket.send(JSON.stringify(message));
  return { socket, frames, closed, next, send };
}
