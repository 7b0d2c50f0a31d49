// `npm run load`: a bounded load test on loopback. Starts CodeRunner in-process on the real Docker engine with its
// default queue and pool settings, sends LOAD_REQUESTS (500) Python runs at LOAD_CONCURRENCY (50), and prints
// throughput, p50/p95/p99 latency, how many were refused (429/503 with Retry-After) and how many were lost or hung
// (the goal: none), plus the server's memory before and after. Exits 1 if any request was lost or hung.
import Docker from 'dockerode';
import { pino } from 'pino';
import { loadConfig } from '../server/src/config/config.js';
import { createServer } from '../server/src/create-server.js';
import { runLoad } from './load-run.js';

const requests = Number(process.env.LOAD_REQUESTS ?? 500);
const concurrency = Number(process.env.LOAD_CONCURRENCY ?? 50);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

const config = loadConfig({
  LANGUAGES: 'python',
  SERVE_CLIENT: 'false',
  LOG_LEVEL: 'silent',
  RATE_LIMIT_PER_MINUTE: '0',
});
const server = await createServer({
  config,
  docker: new Docker({ socketPath: config.DOCKER_SOCKET }),
  logger: pino({ level: 'silent' }),
});
try {
  const baseUrl = await server.app.listen({ port: 0, host: '127.0.0.1' });
  await server.pools.whenFull(60000);
  const rssBefore = process.memoryUsage().rss;
  console.log(
    `load: ${requests} requests at concurrency ${concurrency} against ${baseUrl} (queue ${config.RUN_MAX_CONCURRENT} running + ${config.RUN_MAX_QUEUED} waiting)`,
  );
  const report = await runLoad({
    baseUrl,
    requests,
    concurrency,
    requestTimeoutMs: 120000,
    body: (i) => ({ language: 'python', files: [{ name: 'main.py', content: `print(${i} * 2)` }] }),
    check: (i, reply) =>
      reply.status === 'ok' && reply.run?.stdout === `${i * 2}\n`
        ? null
        : `unexpected reply ${JSON.stringify(reply).slice(0, 200)}`,
  });
  const rssAfter = process.memoryUsage().rss;
  console.log(
    `  results ok: ${report.ok}, refused (429/503): ${report.refused} (without Retry-After: ${report.refusedWithoutRetryAfter})`,
  );
  console.log(`  lost: ${report.failed}, hung: ${report.hung}`);
  console.log(
    `  throughput: ${report.perSecond.toFixed(2)} runs/s over ${(report.elapsedMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  latency ms: p50 ${report.latency.p50}, p95 ${report.latency.p95}, p99 ${report.latency.p99}, max ${report.latency.max}`,
  );
  console.log(`  server process memory (RSS): ${mb(rssBefore)} before, ${mb(rssAfter)} after`);
  for (const p of report.problems.slice(0, 10)) console.log(`  problem ${p}`);
  process.exitCode = report.failed + report.hung + report.refusedWithoutRetryAfter > 0 ? 1 : 0;
} finally {
  await server.app.close();
}
