// Paths (d) and (f): CodeRunner end to end over real HTTP on loopback, with a server started in-process on the
// real Docker engine. (d) waits for a full warm pool before each sample; (f) does not wait between requests.
import type Docker from 'dockerode';
import { pino } from 'pino';
import { loadConfig } from '../server/src/config/config.js';
import { createServer, type CodeRunnerServer } from '../server/src/create-server.js';
import { CONTAINER_LABELS } from '../server/src/sandbox/docker-sandbox-driver.js';
import { HELLO_OUTPUT, HELLO_SOURCE } from './cli-paths.js';
import {
  runConcurrent,
  sampleSequential,
  summarize,
  type Bounds,
  type ConcurrentResult,
  type Summary,
} from './stats.js';

const REQUEST_TIMEOUT_MS = 30000;
const POOL_FULL_TIMEOUT_MS = 60000;

interface Timings {
  queueMs: number;
  acquireMs: number;
  executeMs: number;
  totalMs: number;
}

/**
 * Server-side timings (medians) of the replies collected, plus the program's own wall time in the sandbox, and
 * what the server spent outside the sandbox (totalMs − acquireMs − executeMs: the queue, and with a separate
 * worker the reply's hop back to the API).
 */
export type TimingBreakdown = Record<keyof Timings | 'programWallMs' | 'outsideMs', Summary>;

export interface RunningServer {
  server: CodeRunnerServer;
  baseUrl: string;
}

export async function startServer(
  docker: Docker,
  poolSize: number,
  sandboxRuntime: 'runc' | 'runsc' = 'runc',
  languages = 'python',
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const config = loadConfig({
    SANDBOX_RUNTIME: sandboxRuntime,
    LANGUAGES: languages,
    POOL_SIZE: String(poolSize),
    POOL_IDLE_SIZE: String(poolSize),
    SERVE_CLIENT: 'false',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const server = await createServer({ config, docker, logger: pino({ level: 'silent' }) });
  try {
    if (server.unavailable.length > 0)
      throw new Error(`runtimes unavailable: ${JSON.stringify(server.unavailable)}`);
    const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
    await server.pools.whenFull(POOL_FULL_TIMEOUT_MS);
    return { server, baseUrl: address };
  } catch (err) {
    await server.app.close();
    throw err;
  }
}

/** Collects server-side timings from replies so the report can say where the time goes. */
export class TimingLog {
  private readonly rows: Array<Timings & { programWallMs: number }> = [];

  add(timings: Timings, programWallMs: number): void {
    this.rows.push({ ...timings, programWallMs });
  }

  summary(): TimingBreakdown {
    const pick = (k: keyof Timings | 'programWallMs') => summarize(this.rows.map((r) => r[k]));
    const outside = this.rows.map((r) => r.totalMs - r.acquireMs - r.executeMs);
    return {
      queueMs: pick('queueMs'),
      acquireMs: pick('acquireMs'),
      executeMs: pick('executeMs'),
      totalMs: pick('totalMs'),
      programWallMs: pick('programWallMs'),
      outsideMs: summarize(outside),
    };
  }
}

/**
 * Replies that came back but were not a clean hello world (status not ok, or other stdout). They are counted and
 * reported rather than aborting the phase, up to `max`; past that the phase throws. Any of them fails the bench.
 */
export class RunFailures {
  readonly examples: string[] = [];
  count = 0;

  constructor(private readonly max: number) {}

  record(phase: string, reply: string): void {
    this.count++;
    if (this.examples.length < 3) this.examples.push(`${phase}: ${reply.slice(0, 400)}`);
    if (this.count > this.max)
      throw new Error(`more than ${this.max} failed runs; last: ${reply.slice(0, 800)}`);
  }
}

/**
 * One POST /api/v1/runs of the hello world. Resolves true for a 200 with status ok and stdout 'hello\n'; records
 * any other 200 reply in `failures` and resolves false; throws on HTTP errors, timeouts and unreadable replies.
 */
export async function postHello(
  baseUrl: string,
  phase: string,
  failures: RunFailures,
  log?: TimingLog,
): Promise<boolean> {
  const res = await fetch(`${baseUrl}/api/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ language: 'python', files: [{ name: 'main.py', content: HELLO_SOURCE }] }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /api/v1/runs: HTTP ${res.status}: ${text.slice(0, 800)}`);
  const body = JSON.parse(text) as {
    status?: string;
    run?: { stdout?: string; wallTimeMs?: number } | null;
    timings?: Timings;
  };
  if (body.status !== 'ok' || body.run?.stdout !== HELLO_OUTPUT) {
    failures.record(phase, text);
    return false;
  }
  if (log && body.timings) log.add(body.timings, body.run.wallTimeMs ?? Number.NaN);
  return true;
}

/** (d) warm-path latency: `warmups` untimed requests, then samples each taken with a full pool. */
export async function benchWarmLatency(
  running: RunningServer,
  bounds: Bounds,
  warmups: number,
  failures: RunFailures,
): Promise<{ samples: number[]; timings: TimingBreakdown }> {
  const waitFull = () => running.server.pools.whenFull(POOL_FULL_TIMEOUT_MS);
  for (let i = 0; i < warmups && !bounds.signal.aborted; i++) {
    await waitFull();
    await postHello(running.baseUrl, '(d) warm-up', failures);
  }
  const log = new TimingLog();
  const samples = await sampleSequential(
    bounds,
    () => postHello(running.baseUrl, '(d)', failures, log),
    waitFull,
  );
  return { samples, timings: log.summary() };
}

/**
 * How long after the last reply the server needs to catch up: until its pool is full again and every used
 * container is gone (only the pool's own containers carry its instance label). Used containers are removed off
 * the request path, so (f)'s requests-only rate can run ahead of the engine; this makes the backlog visible.
 */
async function drainMs(docker: Docker, running: RunningServer, target: number): Promise<number> {
  const t0 = performance.now();
  const filters = { label: [`${CONTAINER_LABELS.instance}=${running.server.driver.instanceId}`] };
  while (performance.now() - t0 < POOL_FULL_TIMEOUT_MS) {
    const full = running.server.pools.stats().every((p) => p.ready >= p.target && p.creating === 0);
    if (full && (await docker.listContainers({ all: true, filters })).length <= target) {
      return performance.now() - t0;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the server did not settle within ${POOL_FULL_TIMEOUT_MS / 1000} s after (f)`);
}

/** (f) sustained throughput: requests back to back at `concurrency`, starting from a full pool. */
export async function benchSustained(
  docker: Docker,
  running: RunningServer,
  bounds: Bounds,
  concurrency: number,
  failures: RunFailures,
): Promise<{ result: ConcurrentResult; timings: TimingBreakdown; drainMs: number }> {
  await running.server.pools.whenFull(POOL_FULL_TIMEOUT_MS);
  const log = new TimingLog();
  const result = await runConcurrent(bounds, concurrency, () =>
    postHello(running.baseUrl, '(f)', failures, log),
  );
  const target = running.server.pools.stats().reduce((sum, p) => sum + p.target, 0);
  return { result, timings: log.summary(), drainMs: await drainMs(docker, running, target) };
}
