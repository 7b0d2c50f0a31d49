import { BoundedQueue } from '../util/bounded-queue.js';
import type { Sandbox, SandboxDriver, SandboxSpec } from './sandbox.js';
import { WarmPool, type PoolLogger, type PoolStats } from './warm-pool.js';

export interface SandboxPoolsOptions {
  driver: SandboxDriver;
  specs: SandboxSpec[];
  /** Ready containers per language. */
  targetFor: (language: string) => number;
  maxConcurrentCreates: number;
  logger: PoolLogger;
}

/**
 * One warm pool per enabled runtime, sharing one limit on concurrent container creations.
 *
 * @example
 *   const pools = new SandboxPools({ driver, specs, targetFor: () => 3, maxConcurrentCreates: 2, logger });
 *   pools.start();
 *   const sandbox = await pools.acquire('python');
 */
export class SandboxPools {
  private readonly pools = new Map<string, WarmPool>();

  constructor(options: SandboxPoolsOptions) {
    const creations = new BoundedQueue(options.maxConcurrentCreates);
    for (const spec of options.specs) {
      this.pools.set(
        spec.language,
        new WarmPool({
          spec,
          target: options.targetFor(spec.language),
          driver: options.driver,
          creations,
          logger: options.logger,
        }),
      );
    }
  }

  /** Starts filling every pool. */
  start(): void {
    for (const pool of this.pools.values()) pool.start();
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
    await Promise.all([...this.pools.values()].map((p) => p.close()));
  }
}
