// The distributed mode as deployed: one API process and worker processes on a real Redis (started here on
// loopback), sharing one run store. Runs spread over the workers; a streaming run crosses processes with its
// stdin and Stop; a worker SIGKILLed mid-run loses nothing; the API restarts with runs queued and they complete.
// About 60-90 s: each process starts with tsx and fills its warm pools.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisNames } from '../../src/runs/remote/wire.js';
import { single, waitFor } from '../helpers.js';
import { freeLoopbackPort, startRedis, type RedisServer } from '../support/redis-server.js';
import { openRunSocket } from '../ws-client.js';
import { startRole, type RoleProcess } from './cluster.js';

let redis: RedisServer;
let client: Redis;
let stateDir: string;
let port: number;
let base: string;
const processes: RoleProcess[] = [];

/** Small and quick to notice a dead worker: a hold lapses after 3 s, checked every second. */
const common = () => ({
  REDIS_URL: redis.url,
  STATE_DIR: stateDir,
  WORKER_HEARTBEAT_MS: '300',
  WORKER_TTL_MS: '1500',
  QUEUE_LOCK_MS: '3000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
});

function start(name: string, env: Record<string, string>): RoleProcess {
  const p = startRole(name, { ...common(), ...env });
  processes.push(p);
  return p;
}

function startWorker(name: string, env: Record<string, string> = {}): RoleProcess {
  return start(name, {
    CODERUNNER_ROLE: 'worker',
    LANGUAGES: 'python',
    POOL_SIZE: '2',
    POOL_IDLE_SIZE: '2',
    RUN_MAX_CONCURRENT: '2',
    ...env,
  });
}

async function startApi(name: string): Promise<RoleProcess> {
  const api = start(name, { CODERUNNER_ROLE: 'api', PORT: String(port), HOST: '127.0.0.1' });
  await api.waitForLine((l) => l.msg.startsWith('CodeRunner API is ready'));
  return api;
}

async function workersLive(count: number, language = 'python'): Promise<void> {
  await waitFor(async () => {
    const res = await fetch(`${base}/healthz`).catch(() => null);
    if (!res) return false;
    const body = (await res.json()) as { workers?: Array<{ languages: number }> };
    const runtimes = (await (await fetch(`${base}/api/v1/runtimes`)).json()) as Array<{ language: string }>;
    return (body.workers?.length ?? 0) >= count && runtimes.some((r) => r.language === language);
  }, 60000);
}

async function post(body: unknown, query = ''): Promise<Response> {
  return fetch(`${base}/api/v1/runs${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

interface Record_ {
  status: string;
  result: { status: string; run: { stdout: string } | null; error?: { code: string } } | null;
  error: { code: string } | null;
}

async function finished(id: string, timeoutMs = 60000): Promise<Record_> {
  let record: Record_ | null = null;
  await waitFor(async () => {
    const res = await fetch(`${base}/api/v1/runs/${id}`).catch(() => null);
    if (!res || res.status !== 200) return false;
    record = (await res.json()) as Record_;
    return record.status !== 'queued' && record.status !== 'running';
  }, timeoutMs);
  return record!;
}

const doneBy = (p: RoleProcess, id: string) => p.lines.some((l) => l.msg === 'run done' && l.run === id);

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  stateDir = await mkdtemp(join(tmpdir(), 'coderunner-cluster-'));
  port = await freeLoopbackPort();
  base = `http://127.0.0.1:${port}`;
}, 60000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  client?.disconnect();
  await redis?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}, 120000);

describe('an API process and two workers on Redis', () => {
  let w1: RoleProcess;
  let w2: RoleProcess;
  let api: RoleProcess;

  beforeAll(async () => {
    w1 = startWorker('worker-1');
    w2 = startWorker('worker-2');
    api = await startApi('api-1');
    await workersLive(2);
  }, 120000);

  it('spreads runs over both workers', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) =>
      single('python', 'main.py', `import time\ntime.sleep(0.4)\nprint(${i})`),
    );
    const replies = await Promise.all(bodies.map((b) => post(b)));
    const results = await Promise.all(
      replies.map((r) => r.json() as Promise<{ id: string; run: { stdout: string } }>),
    );
    expect(results.map((r) => r.run.stdout)).toEqual(bodies.map((_, i) => `${i}\n`));
    // Each worker logs "run done" just after it replied.
    await waitFor(() => results.every((r) => doneBy(w1, r.id) || doneBy(w2, r.id)), 5000);
    const by1 = results.filter((r) => doneBy(w1, r.id)).length;
    const by2 = results.filter((r) => doneBy(w2, r.id)).length;
    expect(by1 + by2).toBe(8);
    expect(by1).toBeGreaterThan(0);
    expect(by2).toBeGreaterThan(0);
  });

  it('streams a run across processes: output, typed stdin and Stop', async () => {
    const c = openRunSocket(`${base.replace('http', 'ws')}/api/v1/runs/ws`, {
      type: 'run',
      request: {
        language: 'python',
        files: [
          {
            name: 'main.py',
            content: 'name = input("name? ")\nprint("hello", name, flush=True)\nwhile True: pass',
          },
        ],
        limits: { timeoutMs: 20000 },
      },
    });
    await c.next((f) => f.type === 'stdout' && String(f.data).includes('name? '));
    c.send({ type: 'stdin', data: 'Ada\n' });
    // print() may reach the client in several frames.
    const stdout = () =>
      c.frames
        .filter((f) => f.type === 'stdout')
        .map((f) => String(f.data))
        .join('');
    await c.next(() => stdout().includes('hello Ada\n'));
    c.send({ type: 'stop' });
    const result = await c.next((f) => f.type === 'result', 10000);
    expect(result.status).toBe('runtime_error');
    expect((result.run as { signal: string }).signal).toBe('SIGKILL');
    expect(result.at).toBeLessThan(10000);
  });

  it('fails a run whose worker is SIGKILLed after its program started as internal_error, and runs none twice', async () => {
    const res = await post(
      single('python', 'main.py', 'import time\nprint("started", flush=True)\ntime.sleep(60)'),
      '?wait=false',
    );
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const names = redisNames('coderunner');
    await waitFor(async () => (await client.exists(names.started(id))) === 1, 20000);
    const holder = [w1, w2].find((w) => w.lines.some((l) => l.msg === 'run taken' && l.run === id))!;
    const other = holder === w1 ? w2 : w1;
    holder.child.kill('SIGKILL');
    await holder.exited;
    const record = await finished(id, 30000);
    expect(record.status).toBe('finished');
    expect(record.result?.status).toBe('internal_error');
    expect(record.result?.error?.code).toBe('worker_lost');
    // The other worker took it back from the queue and ended it without running it again.
    expect(other.lines.filter((l) => l.msg === 'run taken' && l.run === id)).toHaveLength(1);
    const done = await other.waitForLine((l) => l.msg === 'run done' && l.run === id, 5000);
    expect(done.ms).toBeLessThan(1000);
    // A new worker on this host removes the dead one's containers (their owner is gone).
    const w3 = startWorker('worker-3');
    await w3.waitForLine((l) => l.msg.startsWith('CodeRunner worker is ready'));
    if (holder === w1) w1 = w3;
    else w2 = w3;
  });

  it('runs a job again on another worker when its worker died before the program started', async () => {
    // A worker group of its own (python and javascript), starting cold: it creates each container on demand,
    // so it holds the run for a while before its program starts.
    const cold = startWorker('cold-worker', {
      LANGUAGES: 'python,javascript',
      POOL_SIZE: '0',
      POOL_IDLE_SIZE: '0',
    });
    await workersLive(3, 'javascript');
    const res = await post(single('javascript', 'main.js', 'console.log("ran once")'), '?wait=false');
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await cold.waitForLine((l) => l.msg === 'run taken' && l.run === id, 20000);
    cold.child.kill('SIGKILL');
    await cold.exited;
    expect(await client.exists(redisNames('coderunner').started(id))).toBe(0);
    const warm = startWorker('warm-worker', { LANGUAGES: 'python,javascript' });
    const record = await finished(id, 60000);
    expect(record.status).toBe('finished');
    expect(record.result?.status).toBe('ok');
    expect(record.result?.run?.stdout).toBe('ran once\n');
    await warm.waitForLine((l) => l.msg === 'run done' && l.run === id, 5000);
    await warm.stop();
  });

  it('keeps queued runs while the API restarts, and they complete', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await post(
        single('python', 'main.py', `import time\ntime.sleep(0.5)\nprint(${i})`),
        '?wait=false',
      );
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    api.child.kill('SIGKILL');
    await api.exited;
    api = await startApi('api-2');
    for (const [i, id] of ids.entries()) {
      const record = await finished(id, 60000);
      expect(record.status).toBe('finished');
      expect(record.result?.run?.stdout).toBe(`${i}\n`);
    }
  }, 180000);
});
