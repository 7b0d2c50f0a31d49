import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { createError, type CodeRunnerError } from '../../errors/errors.js';
import type { Runtime } from '../../runtimes/runtime-registry.js';
import type { PoolStats } from '../../sandbox/warm-pool.js';
import type { RedisNames } from './wire.js';

/** What a worker tells the API processes about itself, every WORKER_HEARTBEAT_MS, with a TTL of WORKER_TTL_MS. */
export interface WorkerAnnouncement {
  id: string;
  host: string;
  pid: number;
  /** Workers serving the same runtimes on the same sandbox runtime form a group and share one queue. */
  group: string;
  sandboxRuntime: 'runc' | 'runsc';
  concurrency: number;
  running: number;
  runtimes: Runtime[];
  pools: PoolStats[];
  startedAt: number;
  seenAt: number;
}

/** The group of a worker: its sandbox runtime and a hash of the runtimes (language and version) it serves. */
export function groupOf(sandboxRuntime: string, runtimes: readonly Runtime[]): string {
  const served = runtimes
    .map((r) => `${r.language}@${r.version}`)
    .sort()
    .join(',');
  return `${sandboxRuntime}-${createHash('sha256').update(served).digest('hex').slice(0, 10)}`;
}

/** Keeps a worker's announcement fresh in Redis until stopped; stopping withdraws it at once. */
export class WorkerAnnouncer {
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();

  constructor(
    private readonly redis: Redis,
    private readonly names: RedisNames,
    private readonly self: Omit<
      WorkerAnnouncement,
      'seenAt' | 'startedAt' | 'running' | 'pools' | 'host' | 'pid'
    >,
    private readonly state: () => { running: number; pools: PoolStats[] },
    private readonly timing: { heartbeatMs: number; ttlMs: number },
    private readonly onError: (err: Error) => void,
  ) {}

  async start(): Promise<void> {
    await this.announce();
    this.timer = setInterval(() => void this.announce().catch(this.onError), this.timing.heartbeatMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.redis
      .multi()
      .zrem(this.names.workers, this.self.id)
      .del(this.names.worker(this.self.id))
      .exec();
  }

  private async announce(): Promise<void> {
    const now = Date.now();
    const announcement: WorkerAnnouncement = {
      ...this.self,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      seenAt: now,
      ...this.state(),
    };
    await this.redis
      .multi()
      .set(this.names.worker(this.self.id), JSON.stringify(announcement), 'PX', this.timing.ttlMs)
      .zadd(this.names.workers, now, this.self.id)
      .exec();
  }
}

interface Group {
  queue: string;
  workers: WorkerAnnouncement[];
  runtimes: Map<string, Runtime>;
}

/**
 * The API's view of the live workers, refreshed every heartbeat: which languages can run now and on which
 * group's queue. It stands in for the runtime registry: a language the repository knows but no live worker
 * serves gets 503 CR_ERR_RUN_NO_WORKER at once instead of waiting in a queue nobody reads.
 */
export class LiveWorkers {
  private groups = new Map<string, Group>();
  private byName = new Map<string, Runtime>();
  private runtimes: Runtime[] = [];
  private workers: WorkerAnnouncement[] = [];
  private timer: NodeJS.Timeout | null = null;
  private refreshed = 0;

  constructor(
    private readonly redis: Redis,
    private readonly names: RedisNames,
    /** Language names and aliases of every runtime in the repository (runtimes/), served or not. */
    private readonly known: ReadonlySet<string>,
    private readonly timing: { heartbeatMs: number; ttlMs: number },
    private readonly onError: (err: Error) => void,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(this.onError), this.timing.heartbeatMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads the announcements again (also called by tests and when a run finds no worker). */
  async refresh(): Promise<void> {
    const now = Date.now();
    const since = now - this.timing.ttlMs;
    await this.redis.zremrangebyscore(this.names.workers, '-inf', since);
    const ids = await this.redis.zrangebyscore(this.names.workers, since, '+inf');
    const raw = ids.length > 0 ? await this.redis.mget(ids.map((id) => this.names.worker(id))) : [];
    const workers = raw
      .filter((r): r is string => r !== null)
      .map((r) => JSON.parse(r) as WorkerAnnouncement)
      .sort((a, b) => a.id.localeCompare(b.id));
    const groups = new Map<string, Group>();
    for (const w of workers) {
      let group = groups.get(w.group);
      if (!group) {
        group = { queue: this.names.queue(w.group), workers: [], runtimes: new Map() };
        groups.set(w.group, group);
      }
      group.workers.push(w);
      for (const r of w.runtimes) group.runtimes.set(r.language, r);
    }
    const byName = new Map<string, Runtime>();
    const runtimes = new Map<string, Runtime>();
    for (const group of groups.values()) {
      for (const r of group.runtimes.values()) {
        if (!runtimes.has(r.language)) runtimes.set(r.language, r);
        for (const name of [r.language, ...r.aliases]) {
          if (!byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), r);
        }
      }
    }
    this.groups = groups;
    this.byName = byName;
    const list = [...runtimes.values()].sort((a, b) => a.language.localeCompare(b.language));
    // The same array while nothing changed: the compat adapters rebuild their tables when it does.
    if (JSON.stringify(list) !== JSON.stringify(this.runtimes)) this.runtimes = list;
    this.workers = workers;
    this.refreshed = now;
  }

  /** RuntimeRegistry.resolve over the live workers. */
  resolve(name: string): Runtime | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Why a language resolve() missed cannot run: 503 when the repository knows it but no live worker serves it. */
  missing(name: string): CodeRunnerError | null {
    if (!this.known.has(name.toLowerCase())) return null;
    return createError('CR_ERR_RUN_NO_WORKER', name.slice(0, 40), { 'Retry-After': '5' });
  }

  /** RuntimeRegistry.list: every language some live worker serves. */
  list(): readonly Runtime[] {
    return this.runtimes;
  }

  /** The queue to send a run of `language` to: the serving group with the most live workers. */
  queueFor(language: string): string | null {
    let best: Group | null = null;
    for (const group of this.groups.values()) {
      if (!group.runtimes.has(language)) continue;
      if (!best || group.workers.length > best.workers.length) best = group;
    }
    return best?.queue ?? null;
  }

  /** Every live worker's announcement (health, metrics). */
  live(): readonly WorkerAnnouncement[] {
    return this.workers;
  }

  /** Every queue a live group reads. */
  queues(): string[] {
    return [...this.groups.values()].map((g) => g.queue);
  }

  /** Pools of every live worker, summed per language (metrics, health). */
  pools(): PoolStats[] {
    const sums = new Map<string, PoolStats>();
    for (const w of this.workers) {
      for (const p of w.pools) {
        const s = sums.get(p.language);
        if (!s) sums.set(p.language, { ...p });
        else {
          s.target += p.target;
          s.idleSize += p.idleSize;
          s.busySize += p.busySize;
          s.ready += p.ready;
          s.creating += p.creating;
          s.waiting += p.waiting;
          s.hits += p.hits;
          s.misses += p.misses;
          s.created += p.created;
          s.removed += p.removed;
          s.lastError ??= p.lastError;
        }
      }
    }
    return [...sums.values()];
  }

  /** When the view was last read, for /healthz. */
  get refreshedAt(): number {
    return this.refreshed;
  }
}
