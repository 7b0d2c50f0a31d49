import { BoundedQueue } from '../util/bounded-queue.js';
import { abortedError } from './engine-call.js';
import { planLimits, type RunContainerLimits } from './limit-policy.js';
import { SandboxError, type Sandbox, type SandboxDriver, type SandboxSpec } from './sandbox.js';
import { SandboxLease } from './sandbox-lease.js';
import { WarmPool, type PoolLogger, type PoolSize, type PoolStats } from './warm-pool.js';

/** How long after a run's end its used container's teardown starts (afterReply). */
export const TEARDOWN_DELAY_MS = 25;

export interface SandboxPoolsOptions {
  driver: SandboxDriver;
  specs: SandboxSpec[];
  /** Ready containers per language, idle and busy. */
  sizeFor: (language: string) => PoolSize;
  /** A language unused for this long shrinks back to its idle size. */
  idleAfterMs: number;
  maxConcurrentCreates: number;
  logger: PoolLogger;
}

/**
 * One warm pool per enabled runtime, sharing one limit on concurrent container creations.
 *
 * @example
 *   const pools = new SandboxPools({
 *     driver, specs, sizeFor: () => ({ idle: 1, busy: 3 }), idleAfterMs: 600000, maxConcurrentCreates: 2, logger,
 *   });
 *   pools.start();
 *   const lease = await pools.acquire('python', { first: limits, run: limits }, AbortSignal.timeout(10000));
 */
export class SandboxPools {
  private readonly pools = new Map<string, WarmPool>();
  private readonly creations: BoundedQueue;
  private shrinkTimer: NodeJS.Timeout | null = null;
  private readonly dedicatedRemovals = new Set<Promise<void>>();
  /** Teardowns of used containers waiting for their turn (afterReply). */
  private readonly deferred = new Set<() => void>();

  constructor(private readonly options: SandboxPoolsOptions) {
    const creations = (this.creations = new BoundedQueue(options.maxConcurrentCreates));
    for (const spec of options.specs) {
      this.pools.set(
        spec.language,
        new WarmPool({
          spec,
          size: options.sizeFor(spec.language),
          driver: options.driver,
          creations,
          logger: options.logger,
        }),
      );
    }
  }

  /** Starts filling every pool, and checking now and then for pools to shrink back to their idle size. */
  start(): void {
    for (const pool of this.pools.values()) pool.start();
    const every = Math.max(50, Math.min(30000, Math.floor(this.options.idleAfterMs / 4)));
    this.shrinkTimer = setInterval(() => {
      const now = Date.now();
      for (const pool of this.pools.values()) pool.shrinkIfIdle(now, this.options.idleAfterMs);
    }, every);
    this.shrinkTimer.unref();
  }

  private pool(language: string): WarmPool {
    const pool = this.pools.get(language);
    if (!pool) throw new Error(`no pool for language ${language}`);
    return pool;
  }

  /** The spec containers of this language are created with. */
  specFor(language: string): SandboxSpec | undefined {
    return this.pools.get(language)?.spec;
  }

  /**
   * A sandbox of the language leased for one run, with the limit policy applied (limit-policy.ts): a warm one
   * with its limits changed, or under gVisor a new one made to measure. Rejects with SandboxError when the engine
   * fails or hangs past its deadline, or when `signal` aborts first. Release the lease when the run is over.
   */
  async acquire(language: string, limits: RunContainerLimits, signal?: AbortSignal): Promise<SandboxLease> {
    const pool = this.pool(language);
    const plan = planLimits(this.options.driver.canUpdateLimits, pool.spec, limits);
    let sandbox: Sandbox;
    if (plan.dedicated) {
      const spec = { ...pool.spec, ...limits.first };
      sandbox = await this.creations
        .run(() => this.options.driver.create(spec, signal), signal)
        .catch((err: unknown) => {
          // Aborted while waiting for a creation slot, the queue rejects with the bare abort reason.
          throw signal?.aborted && !(err instanceof SandboxError)
            ? abortedError('waiting to create a container', signal)
            : err;
        });
    } else {
      sandbox = await pool.acquire(signal);
    }
    const lease = new SandboxLease(sandbox, plan, (used) =>
      this.afterReply(() => (plan.dedicated ? this.removeDedicated(used) : pool.release(used))),
    );
    try {
      await lease.prepare(signal);
    } catch (err) {
      lease.release();
      throw err;
    }
    return lease;
  }

  /**
   * Runs a used container's teardown (its removal, the pool's refill) TEARDOWN_DELAY_MS after the run's end: the
   * run's end resolves the caller's reply first (the HTTP response, or a worker's result published to its API),
   * and the engine's work on the used container (tens of milliseconds of CPU across dockerd, containerd and
   * runc; started at once it delayed an in-process client's reply by up to 30 ms on 2 cores) would otherwise
   * compete for the CPU with a same-host client still taking the reply. close() runs any still waiting at once.
   */
  private afterReply(teardown: () => void): void {
    const run = () => {
      if (this.deferred.delete(run)) teardown();
    };
    this.deferred.add(run);
    setTimeout(run, TEARDOWN_DELAY_MS).unref();
  }

  private removeDedicated(sandbox: Sandbox): void {
    const removal = sandbox.destroy().catch((err: unknown) => {
      this.options.logger.warn({ err, container: sandbox.id }, 'could not remove a used container');
    });
    this.dedicatedRemovals.add(removal);
    void removal.finally(() => this.dedicatedRemovals.delete(removal));
  }

  /** Stats of every pool. */
  stats(): PoolStats[] {
    return [...this.pools.values()].map((p) => p.stats());
  }

  /** Resolves when every pool holds its target (tests and benchmarks wait for a warm start). */
  async whenFull(timeoutMs?: number): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.whenFull(timeoutMs)));
  }

  /** Closes every pool, removing their containers. */
  async close(): Promise<void> {
    if (this.shrinkTimer) clearInterval(this.shrinkTimer);
    for (const run of [...this.deferred]) run();
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    await Promise.allSettled([...this.dedicatedRemovals]);
  }
}
