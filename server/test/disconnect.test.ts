// A REST client that disconnects before its reply cancels its run: a queued run leaves the queue at once, a
// running one is killed and its container freed. Real HTTP over loopback, real Docker.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../src/create-server.js';
import { containersOf, postRun, single, startTestServer, waitFor } from './helpers.js';

let server: CodeRunnerServer;
let port: number;

beforeAll(async () => {
  // One run at a time, so a second one waits in the queue.
  server = await startTestServer({ LANGUAGES: 'python', POOL_SIZE: '1', RUN_MAX_CONCURRENT: '1' });
  const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
  port = Number(new URL(address).port);
});

afterAll(async () => {
  await server.app.close();
});

const sleeper = single('python', 'main.py', 'import time\nprint("up", flush=True)\ntime.sleep(25)', {
  limits: { timeoutMs: 30000 },
});

/** Sends a run and returns a function that drops the connection without waiting for the reply. */
function startAndAbandon(body: object): () => void {
  const payload = JSON.stringify(body);
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/v1/runs',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
  });
  req.on('error', () => undefined); // the socket is destroyed on purpose
  req.end(payload);
  return () => req.destroy();
}

describe('a REST client that disconnects', () => {
  it('kills its running program and frees the container', async () => {
    const drop = startAndAbandon(sleeper);
    expect(await waitFor(() => server.runs.stateCounts().running === 1, 10000)).toBe(true);
    const started = Date.now();
    drop();
    // Far sooner than the program's 25 s sleep or its 30 s limit.
    expect(await waitFor(() => server.runs.inFlight === 0, 5000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    // The used container is removed and the pool is back to its one warm container.
    expect(
      await waitFor(async () => (await containersOf(server.driver.instanceId)).length === 1, 15000),
    ).toBe(true);
    expect((await postRun(server.app, single('python', 'main.py', 'print(1)'))).json().status).toBe('ok');
  });

  it('drops its queued run at once while the run ahead of it goes on', async () => {
    const dropFirst = startAndAbandon(sleeper);
    expect(await waitFor(() => server.runs.stateCounts().running === 1, 10000)).toBe(true);
    const dropSecond = startAndAbandon(single('python', 'main.py', 'print("never")'));
    expect(await waitFor(() => server.runs.queueStats().queued === 1, 5000)).toBe(true);
    dropSecond();
    expect(await waitFor(() => server.runs.queueStats().queued === 0, 2000)).toBe(true);
    expect(server.runs.stateCounts()).toEqual({ running: 1 });
    dropFirst();
    expect(await waitFor(() => server.runs.inFlight === 0, 5000)).toBe(true);
  });
});
