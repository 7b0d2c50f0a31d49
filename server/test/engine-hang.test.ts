// A hung (not dead) container engine: dockerd stopped with SIGSTOP for a bounded time. Every wait of a run is
// bounded, so runs, streaming runs and /healthz answer 503 within the configured engine deadline instead of
// hanging, nothing is left in flight, and everything recovers once the engine is continued (SIGCONT).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postRun, runsRecover, single, startTestServer } from './helpers.js';

const ENGINE_TIMEOUT_MS = 3000;
const ACQUIRE_TIMEOUT_MS = 3000;
/** The longest any answer may take while the engine hangs: the larger deadline plus scheduling slack. */
const ANSWER_BOUND_MS = Math.max(ENGINE_TIMEOUT_MS, ACQUIRE_TIMEOUT_MS) + 2000;
/** The engine stays stopped at most this long, whatever happens in the test. */
const MAX_STOPPED_MS = 30000;

const hello = single('python', 'main.py', 'print("still here")');

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work;
  return { value, ms: Date.now() - started };
}

/** Stops dockerd, runs `body`, and always continues it again (also after MAX_STOPPED_MS as a safety net). */
async function withEngineStopped(body: () => Promise<void>): Promise<void> {
  const pid = Number(readFileSync('/var/run/docker.pid', 'utf8'));
  expect(Number.isInteger(pid) && pid > 0).toBe(true);
  process.kill(pid, 'SIGSTOP');
  const safety = setTimeout(() => process.kill(pid, 'SIGCONT'), MAX_STOPPED_MS);
  try {
    await body();
  } finally {
    clearTimeout(safety);
    process.kill(pid, 'SIGCONT');
  }
}

describe('a hung engine', () => {
  it('gives 503s within the configured time, never a hang, and recovers when it answers again', async () => {
    const server = await startTestServer({
      LANGUAGES: 'python',
      POOL_SIZE: '2',
      SANDBOX_ENGINE_TIMEOUT_MS: String(ENGINE_TIMEOUT_MS),
      RUN_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
    });
    try {
      const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
      expect((await postRun(server.app, hello)).json().status).toBe('ok');
      await server.pools.whenFull(30000);

      await withEngineStopped(async () => {
        // Two runs get warm containers whose attach stream the hung engine no longer relays; the third finds
        // the pool empty and waits for a creation that cannot happen. All three: 503 within the bound.
        const answers = await Promise.all([1, 2, 3].map(() => timed(postRun(server.app, hello))));
        for (const { value, ms } of answers) {
          expect(value.statusCode, value.body).toBe(503);
          expect(value.json().code).toBe('CR_ERR_SANDBOX_UNAVAILABLE');
          expect(value.headers['retry-after']).toBeDefined();
          expect(ms).toBeLessThan(ANSWER_BOUND_MS);
        }

        const health = await timed(server.app.inject({ method: 'GET', url: '/healthz' }));
        expect(health.value.statusCode).toBe(503);
        expect(health.ms).toBeLessThan(ANSWER_BOUND_MS);

        // A streaming run: an error frame naming the cause, then close code 4503.
        const socket = new WebSocket(`${address.replace('http', 'ws')}/api/v1/runs/ws`);
        const frames: Array<{ type: string; code?: string }> = [];
        socket.on('message', (raw) =>
          frames.push(JSON.parse((raw as Buffer).toString()) as { type: string }),
        );
        socket.on('open', () => socket.send(JSON.stringify({ type: 'run', request: hello })));
        const closed = await timed(
          new Promise<number>((resolve) => socket.on('close', (code) => resolve(code))),
        );
        expect(closed.value).toBe(4503);
        expect(closed.ms).toBeLessThan(ANSWER_BOUND_MS);
        expect(frames.find((f) => f.type === 'error')?.code).toBe('CR_ERR_SANDBOX_UNAVAILABLE');

        // Nothing is left holding a slot or a container lease.
        expect(server.runs.inFlight).toBe(0);
        expect(server.runs.queueStats()).toEqual({ running: 0, queued: 0 });
      });

      // The engine answers again: the pools refill and runs succeed (bounded wait).
      expect(await runsRecover(server.app, hello)).toBe(true);
      expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await server.app.close();
    }
  }, 120000);
});
