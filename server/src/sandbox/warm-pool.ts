import type { BoundedQueue } from '../util/bounded-queue.js';
import { abortedError } from './engine-call.js';
import { SandboxError, type Sandbox, type SandboxDriver, type SandboxSpec } from './sandbox.js';

/** The longest a refill after a hit waits for the used container's release (fillSoon). */
export const REFILL_DELAY_MS = 200;

export interface PoolLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface WarmPoolOptions {
  spec: SandboxSpec;
  /** How many ready containers to keep, between `idle` (not used lately) and `busy` (in use). */
  size: PoolSize;
  driver: SandboxDriver;
  /** Shared across pools: container creation is CPU-bound on the engine's side. */
  creations: BoundedQueue;
  logger: PoolLogger;
}

/** Ready containers a pool keeps: `busy` while the language is in use, `idle` once it has not been for a while. */
export interface PoolSize {
  idle: number;
  busy: number;
}

export interface PoolStats {
  language: string;
  target: number;
  idleSize: number;
  busySize: number;
  ready: number;
  creating: number;
  waiting: number;
  lastError: string | null;
  /** Since start: acquisitions served by a ready container, and those that had to wait for one (misses). */
  hits: number;
  misses: number;
  /** Since start: containers created and removed (the churn). */
  created: number;
  removed: number;
}

interface Waiter {
  resolve: (sandbox: Sandbox) => void;
  reject: (err: Error) => void;
}

const MAX_BACKOFF_MS = 5000;

/**
 * Ready containers of one runtime. `acquire` hands out a ready one at once, or the next one to become ready;
 * `release` removes a used container in the background and the pool refills itself to its target.
 * The target adapts to demand: it starts at the idle size, rises to the busy size when the language is used,
 * and `shrinkIfIdle` brings it back (removing the surplus) when it has not been used for a while.
 * When creation fails (engine down) the waiting callers are rejected at once and refills back off.
 */
export class WarmPool {
  private readonly ready: Sandbox[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly removals = new Set<Promise<void>>();
  private creating = 0;
  private readonly counts = { hits: 0, misses: 0, created: 0, removed: 0 };
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private refillTimer: NodeJS.Timeout | null = null;
  private lastError: string | null = null;
  private closed = false;
  private target: number;
  private lastUsed = 0;

  constructor(private readonly options: WarmPoolOptions) {
    this.target = options.size.idle;
  }

  /** The spec every container of this pool is created with. */
  get spec(): SandboxSpec {
    return this.options.spec;
  }

  /** Starts filling the pool to its target. */
  start(): void {
    this.fill();
  }

  /** A ready sandbox, now or as soon as one is started; leaves the line when `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<Sandbox> {
    if (this.closed) return Promise.reject(new SandboxError('the pool is closed', 'unavailable'));
    if (signal?.aborted) return Promise.reject(abortedError('acquiring a container', signal));
    this.lastUsed = Date.now();
    this.target = this.options.size.busy;
    const sandbox = this.ready.shift();
    if (sandbox) {
      this.counts.hits++;
      this.fillSoon();
      return Promise.resolve(sandbox);
    }
    this.counts.misses++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(abortedError('acquiring a container', signal!));
      };
      const waiter: Waiter = {
        resolve: (s) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.fill(true);
    });
  }

  /** Removes a used sandbox in the background and refills. */
  release(sandbox: Sandbox): void {
    this.remove(sandbox);
    this.fill();
  }

  /** Current numbers, for /healthz. */
  stats(): PoolStats {
    return {
      language: this.options.spec.language,
      target: this.target,
      idleSize: this.options.size.idle,
      busySize: this.options.size.busy,
      ready: this.ready.length,
      creating: this.creating,
      waiting: this.waiters.length,
      lastError: this.lastError,
      ...this.counts,
    };
  }

  /** Resolves once the pool holds its target of ready containers (used by tests and benchmarks). */
  async whenFull(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.ready.length < this.target) {
      if (Date.now() > deadline)
        throw new Error(`pool ${this.options.spec.language} not full after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Drops back to the idle size, removing surplus ready containers, when unused for `idleAfterMs`. */
  shrinkIfIdle(now: number, idleAfterMs: number): void {
    if (this.closed || this.target === this.options.size.idle || now - this.lastUsed < idleAfterMs) return;
    this.target = this.options.size.idle;
    while (this.ready.length > this.target) this.remove(this.ready.pop()!);
  }

  /** Rejects waiters, removes every ready container and waits for in-flight creations and removals. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.refillTimer) clearTimeout(this.refillTimer);
    for (const waiter of this.waiters.splice(0))
      waiter.reject(new SandboxError('the pool is closing', 'unavailable'));
    for (const sandbox of this.ready.splice(0)) this.remove(sandbox);
    while (this.creating > 0 || this.removals.size > 0) {
      await Promise.allSettled([...this.removals]);
      if (this.creating > 0) await new Promise((r) => setTimeout(r, 20));
    }
  }

  private discard(sandbox: Sandbox): void {
    const index = this.ready.indexOf(sandbox);
    if (index === -1) return;
    this.ready.splice(index, 1);
    this.options.logger.warn({ container: sandbox.id }, 'a warm container died; replacing it');
    this.remove(sandbox);
    this.fill();
  }

  private remove(sandbox: Sandbox): void {
    this.counts.removed++;
    const removal = sandbox.destroy().catch((err: unknown) => {
      this.options.logger.warn({ err, container: sandbox.id }, 'could not remove a used container');
    });
    this.removals.add(removal);
    void removal.finally(() => this.removals.delete(removal));
  }

  /**
   * The refill after a hit: when the used container is released (after the run's reply, sandbox-pools.ts) or
   * REFILL_DELAY_MS after the hit, whichever comes first. A container's creation costs the engine far more CPU
   * than a short run takes, and on a small host it would slow the very run that took the container.
   */
  private fillSoon(): void {
    if (this.closed || this.refillTimer) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = null;
      this.fill();
    }, REFILL_DELAY_MS);
    this.refillTimer.unref();
  }

  /** Starts as many creations as needed for the target plus every waiting caller. */
  private fill(urgent = false): void {
    if (this.refillTimer) {
      clearTimeout(this.refillTimer);
      this.refillTimer = null;
    }
    if (this.closed) return;
    if (this.retryTimer && !urgent) return;
    const wanted = this.target + this.waiters.length - this.ready.length - this.creating;
    for (let i = 0; i < wanted; i++) {
      this.creating++;
      void this.createOne();
    }
  }

  private async createOne(): Promise<void> {
    let sandbox: Sandbox | null = null;
    let failure: Error | null = null;
    try {
      sandbox = await this.options.creations.run(() => this.options.driver.create(this.options.spec));
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    } finally {
      this.creating--;
    }
    if (sandbox) {
      this.counts.created++;
      this.failures = 0;
      this.lastError = null;
      if (this.closed) return this.remove(sandbox);
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(sandbox);
      else this.ready.push(sandbox);
      // A warm container that dies while it waits (killed from outside, engine restarted) is dropped and replaced.
      sandbox.onExit(() => this.discard(sandbox));
      return;
    }
    this.onCreateFailed(failure ?? new Error('unknown failure'));
  }

  private onCreateFailed(err: Error): void {
    this.failures++;
    this.lastError = err.message;
    this.options.logger.warn(
      { language: this.options.spec.language, err: err.message },
      'container creation failed',
    );
    // Whoever waits would wait for a daemon that is failing: answer them now rather than hang.
    const error = err instanceof SandboxError ? err : new SandboxError(err.message, 'unavailable');
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    if (this.closed || this.retryTimer) return;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.failures, 10));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.fill();
    }, delay);
    this.retryTimer.unref();
  }
}
