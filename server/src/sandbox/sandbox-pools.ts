import { BoundedQueue } from '../util/bounded-queue.js';
import type { Sandbox, SandboxDriver, SandboxSpec } from './sandbox.js';
import { WarmPool, type PoolLogger, type PoolSize, type PoolStats } from './warm-pool.js';

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
 *   const sandbox = await pools.acquire('python');
 */
export class SandboxPools {
  private readonly pools = new Map<string, WarmPool>();
  private readonly creations: BoundedQueue;
  private shrinkTimer: NodeJS.Timeout | null = null;

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

  /** Whether the engine can change a running container's limits (runc yes, gVisor no). */
  get canUpdateLimits(): boolean {
    return this.options.driver.canUpdateLimits;
  }

  /** A new container of the language with other limits than its pool's, outside the pool; release it as usual. */
  createDedicated(language: string, limits: { memoryMb: number; pids: number }): Promise<Sandbox> {
    const spec = this.pool(language).spec;
    return this.creations.run(() => this.options.driver.create({ ...spec, ...limits }));
  }

  /** A ready sandbox of the language. */
  acquire(language: string): Promise<Sandbox> {
    return this.pool(language).acquire();
  }

  /** Removes a used sandbox in the background and refills its pool. */
  release(sandbox: Sandbox): void {
    this.pool(sandbox.spec.language).release(sandbox);
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
    await Promise.all([...this.pools.values()].map((p) => p.close()));
  }
}
