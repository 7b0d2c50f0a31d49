// The short CI version of `npm run load`: more concurrent requests than the queue holds, on loopback. Every
// request must end as a correct result or as a 429 with Retry-After; none lost, none hung.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load-run.js';
import type { CodeRunnerServer } from '../src/create-server.js';
import { startTestServer } from './helpers.js';

let server: CodeRunnerServer;
let baseUrl: string;

beforeAll(async () => {
  server = await startTestServer({
    LANGUAGES: 'python',
    POOL_SIZE: '2',
    RUN_MAX_CONCURRENT: '3',
    RUN_MAX_QUEUED: '5',
  });
  baseUrl = await server.app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server.app.close();
});

describe('load on loopback', () => {
  it('answers every request with a result or a 429 with Retry-After, with none lost or hung', async () => {
    const report = await runLoad({
      baseUrl,
      requests: 60,
      concurrency: 20,
      requestTimeoutMs: 60000,
      body: (i) => ({ language: 'python', files: [{ name: 'main.py', content: `print(${i} + 1)` }] }),
      check: (i, reply) =>
        reply.status === 'ok' && reply.run?.stdout === `${i + 1}\n`
          ? null
          : `bad reply ${JSON.stringify(reply)}`,
    });
    expect(report.problems).toEqual([]);
    expect(report.failed + report.hung).toBe(0);
    expect(report.ok + report.refused).toBe(60);
    expect(report.ok).toBeGreaterThan(0);
    expect(report.refused).toBeGreaterThan(0);
    expect(report.refusedWithoutRetryAfter).toBe(0);
    const health = await server.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json().queue).toEqual({ running: 0, queued: 0 });
  });
});
