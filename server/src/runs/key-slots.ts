import type { Redis } from 'ioredis';

/**
 * The per-API-key cap on runs queued or running at once (RUN_MAX_PER_KEY): one class's flood waits its turn
 * instead of starving another's. A slot is held from admission until the run ends, and lapses on its own after
 * the run's deadline, so a process that died holding slots does not block its key for good.
 */
export interface KeySlots {
  /** Takes a slot for `runId`; false when `keyId` already holds the cap. */
  acquire(keyId: string, runId: string, ttlMs: number): Promise<boolean>;
  /** Frees the run's slot; a no-op when it holds none. */
  release(keyId: string, runId: string): Promise<void>;
}

/** One process's slots (the embedded mode). */
export class MemoryKeySlots implements KeySlots {
  private readonly held = new Map<string, Map<string, number>>();

  constructor(private readonly cap: number) {}

  acquire(keyId: string, runId: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    let runs = this.held.get(keyId);
    if (!runs) this.held.set(keyId, (runs = new Map<string, number>()));
    for (const [id, until] of runs) if (until <= now) runs.delete(id);
    if (runs.size >= this.cap) return Promise.resolve(false);
    runs.set(runId, now + ttlMs);
    return Promise.resolve(true);
  }

  release(keyId: string, runId: string): Promise<void> {
    const runs = this.held.get(keyId);
    runs?.delete(runId);
    if (runs?.size === 0) this.held.delete(keyId);
    return Promise.resolve();
  }
}

/** Drops lapsed slots, then adds this one when the key is under its cap; atomic in Redis. */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/**
 * Slots shared by every API process and worker on one Redis: a sorted set per key, run ids scored by when their
 * slot lapses. The API takes the slot; whichever process sees the run end (worker or API) frees it.
 */
export class RedisKeySlots implements KeySlots {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly cap: number,
  ) {}

  async acquire(keyId: string, runId: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const got = await this.redis.eval(
      ACQUIRE,
      1,
      this.keyOf(keyId),
      String(now),
      String(now + ttlMs),
      String(this.cap),
      runId,
      String(ttlMs),
    );
    return got === 1;
  }

  async release(keyId: string, runId: string): Promise<void> {
    await this.redis.zrem(this.keyOf(keyId), runId);
  }

  private keyOf(keyId: string): string {
    return `${this.prefix}:key-slots:${keyId}`;
  }
}
