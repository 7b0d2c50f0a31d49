// The per-API-key cap (RUN_MAX_PER_KEY), both ways it is kept: in one process, and in Redis for a deployment.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryKeySlots, RedisKeySlots, type KeySlots } from '../../src/runs/key-slots.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

let redis: RedisServer;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
}, 30000);

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

const kinds: Array<[string, (cap: number) => KeySlots]> = [
  ['memory', (cap) => new MemoryKeySlots(cap)],
  ['redis', (cap) => new RedisKeySlots(client, `test-${randomUUID()}`, cap)],
];

describe.each(kinds)('%s key slots', (_name, make) => {
  it('admits up to the cap per key, each key on its own', async () => {
    const slots = make(2);
    expect(await slots.acquire('a', 'r1', 60000)).toBe(true);
    expect(await slots.acquire('a', 'r2', 60000)).toBe(true);
    expect(await slots.acquire('a', 'r3', 60000)).toBe(false);
    expect(await slots.acquire('b', 'r4', 60000)).toBe(true);
    await slots.release('a', 'r1');
    expect(await slots.acquire('a', 'r3', 60000)).toBe(true);
  });

  it('lets a slot lapse after its time, so a process that died holding it does not block its key', async () => {
    const slots = make(1);
    expect(await slots.acquire('a', 'r1', 50)).toBe(true);
    expect(await slots.acquire('a', 'r2', 60000)).toBe(false);
    await new Promise((r) => setTimeout(r, 80));
    expect(await slots.acquire('a', 'r2', 60000)).toBe(true);
  });

  it('keeps the cap under concurrent acquires', async () => {
    const slots = make(3);
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => slots.acquire('k', `r${i}`, 60000)));
    expect(got.filter(Boolean)).toHaveLength(3);
    await slots.release('k', 'never-held');
  });
});
