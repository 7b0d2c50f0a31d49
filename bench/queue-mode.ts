// Phase (i): the distributed mode (REDIS_URL). What the BullMQ queue adds to the warm path, measured beside the
// embedded mode in one run (samples interleaved, each from a full pool), and sustained throughput with one and
// with two worker processes behind one API process on the same Redis. Redis is started here on loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { freeLoopbackPort, startRedis } from '../server/test/support/redis-server.js';
import { startRole, type RoleProcess } from '../server/test/distributed/cluster.js';
import {
  postHello,
  startServer,
  TimingLog,
  type RunFailures,
  type RunningServer,
} from './coderunner-path.js';
import { settle } from './languages.js';
import { progress, runConcurrent, summarize, type Bounds, type Summary } from './stats.js';

export interface QueueModeResult {
  embedded: Summary;
  queued: Summary;
  /** Median of (queued − embedded) over sample pairs taken back to back. */
  pairedOverheadMs: number;
  /**
   * What the server spends outside the sandbox (medians of totalMs − acquireMs − executeMs): in the embedded
   * mode the in-memory queue; through BullMQ the API's dispatch to the worker's admission (add, pick-up) and the
   * result's hop back to the API. Free of the sandbox's own noise, which dwarfs a few milliseconds end to end on
   * a loaded 2-core machine. Stamped with sub-millisecond wall time (util/wall-clock.ts).
   */
  serverOutsideMs: { embedded: number; queued: number };
  /** The same with the API and one worker as separate processes. */
  separate: { embedded: Summary; queued: Summary };
  separatePairedOverheadMs: number;
  separateOutsideMs: { embedded: number; queued: number };
  throughput: Array<{ workers: number; completed: number; perSecond: number; latency: Summary }>;
}

const POOL_FULL_TIMEOUT_MS = 60000;
/** Three worker heartbeats (WORKER_HEARTBEAT_MS 300 below) and a little. */
const SETTLE_MS = 1000;

async function waitHealthy(baseUrl: string, workers: number, budgetMs: number): Promise<void> {
  const end = Date.now() + budgetMs;
  while (Date.now() < end) {
    const res = await fetch(`${baseUrl}/healthz`).catch(() => null);
    if (res?.status === 200) {
      const body = (await res.json()) as {
        workers?: unknown[];
        pools?: Array<{ ready: number; target: number }>;
      };
      const full = (body.pools ?? []).every((p) => p.ready >= p.target);
      if ((body.workers?.length ?? 0) >= workers && full) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workers} worker(s) did not come up within ${budgetMs / 1000} s`);
}

export async function benchQueueMode(
  docker: Docker,
  embedded: RunningServer,
  poolSize: number,
  latency: Bounds,
  load: Bounds & { concurrency: number },
  failures: RunFailures,
): Promise<QueueModeResult> {
  const redis = await startRedis();
  const stateDir = await mkdtemp(join(tmpdir(), 'coderunner-bench-queue-'));
  let queued: RunningServer | null = null;
  const processes: RoleProcess[] = [];
  try {
    progress('(i) the same warm path with REDIS_URL (API and worker in one process, through BullMQ) ...');
    // The same run store as the embedded server's (SQLite in a state folder of its own): its worker records a
    // run before it replies (API processes read the store), which is part of what the queue adds.
    queued = await startServer(docker, poolSize, 'runc', 'python', {
      REDIS_URL: redis.url,
      WORKER_HEARTBEAT_MS: '200',
      STATE_DIR: join(stateDir, 'one-process'),
    });
    await waitHealthy(queued.baseUrl, 1, 20000);
    const a: number[] = [];
    const b: number[] = [];
    const deadline = performance.now() + latency.budgetMs;
    const logs = new Map<RunningServer, TimingLog>([
      [embedded, new TimingLog()],
      [queued, new TimingLog()],
    ]);
    // Each sample from a settled engine, as phase (j) takes them: both servers' pools full and their used
    // containers gone, so no refill or teardown overlaps a measured run (each hop through Redis is a process
    // wake-up, and on 2 cores one that waits for a core behind the engine weighs on the queued mode alone).
    const sample = async (s: RunningServer, into: number[]) => {
      await Promise.all([settle(docker, embedded), settle(docker, queued!)]);
      const t0 = performance.now();
      if (await postHello(s.baseUrl, '(i)', failures, into === scratch ? undefined : logs.get(s)))
        into.push(performance.now() - t0);
    };
    const scratch: number[] = [];
    for (let i = 0; i < 3; i++) {
      await sample(embedded, scratch);
      await sample(queued, scratch);
    }
    // Pairs in ABBA order, so a drift of the machine's load weighs on both modes alike.
    for (let i = 0; i < latency.count && performance.now() < deadline && !latency.signal.aborted; i++) {
      if (i % 2 === 0) {
        await sample(embedded, a);
        await sample(queued, b);
      } else {
        await sample(queued, b);
        await sample(embedded, a);
      }
    }
    const pairs = Math.min(a.length, b.length);
    const diffs = Array.from({ length: pairs }, (_, i) => b[i]! - a[i]!);
    const pairedOverheadMs = summarize(diffs).medianMs;
    const serverOutsideMs = {
      embedded: logs.get(embedded)!.summary().outsideMs.medianMs,
      queued: logs.get(queued)!.summary().outsideMs.medianMs,
    };
    await queued.server.app.close();
    queued = null;

    const throughput: QueueModeResult['throughput'] = [];
    const again: number[] = [];
    const separate: number[] = [];
    const separateLogs = { embedded: new TimingLog(), queued: new TimingLog() };
    for (const workers of [1, 2]) {
      progress(`(i) sustained load through an API process and ${workers} worker process(es) ...`);
      const port = await freeLoopbackPort();
      const env = {
        REDIS_URL: redis.url,
        STATE_DIR: stateDir,
        LOG_LEVEL: 'warn',
        WORKER_HEARTBEAT_MS: '300',
        QUEUE_PREFIX: `bench-${workers}`,
      };
      const group: RoleProcess[] = [];
      for (let w = 0; w < workers; w++) {
        group.push(
          startRole(`worker-${w + 1}`, {
            ...env,
            CODERUNNER_ROLE: 'worker',
            LANGUAGES: 'python',
            POOL_SIZE: String(poolSize),
            POOL_IDLE_SIZE: String(poolSize),
          }),
        );
      }
      group.push(startRole('api', { ...env, CODERUNNER_ROLE: 'api', PORT: String(port), HOST: '127.0.0.1' }));
      processes.push(...group);
      const baseUrl = `http://127.0.0.1:${port}`;
      await waitHealthy(baseUrl, workers, 90000);
      if (workers === 1) {
        // The warm path again, the API and the worker now separate processes (as deployed), beside embedded.
        // The API knows the worker's pool only from its heartbeats, so each sample (both modes alike) waits a
        // few heartbeats first: the used container removed and its replacement warm, as the embedded one is.
        const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
        for (let i = 0; i < latency.count / 2 && !latency.signal.aborted; i++) {
          await settle();
          await embedded.server.pools.whenFull(POOL_FULL_TIMEOUT_MS);
          const t0 = performance.now();
          if (await postHello(embedded.baseUrl, '(i)', failures, separateLogs.embedded))
            again.push(performance.now() - t0);
          await settle();
          await waitHealthy(baseUrl, 1, POOL_FULL_TIMEOUT_MS);
          const t1 = performance.now();
          if (await postHello(baseUrl, '(i)', failures, separateLogs.queued))
            separate.push(performance.now() - t1);
        }
      }
      const r = await runConcurrent(load, load.concurrency, () => postHello(baseUrl, '(i)', failures));
      throughput.push({
        workers,
        completed: r.completed,
        perSecond: r.perSecond,
        latency: summarize(r.latencies),
      });
      progress(`(i) ${workers} worker(s): ${r.perSecond.toFixed(2)} runs/s`);
      await Promise.all(group.map((p) => p.stop()));
    }
    const sepPairs = Math.min(again.length, separate.length);
    return {
      embedded: summarize(a),
      queued: summarize(b),
      pairedOverheadMs,
      serverOutsideMs,
      separateOutsideMs: {
        embedded: separateLogs.embedded.summary().outsideMs.medianMs,
        queued: separateLogs.queued.summary().outsideMs.medianMs,
      },
      separate: { embedded: summarize(again), queued: summarize(separate) },
      separatePairedOverheadMs: summarize(
        Array.from({ length: sepPairs }, (_, i) => separate[i]! - again[i]!),
      ).medianMs,
      throughput,
    };
  } finally {
    await queued?.server.app.close();
    await Promise.all(processes.map((p) => p.stop()));
    await redis.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}
