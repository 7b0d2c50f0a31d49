// WarmPool over the fake driver: targets, hand-out, refill, shrink, replacement, failures and back-off, close.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SandboxError } from '../../src/sandbox/sandbox.js';
import { REFILL_DELAY_MS, WarmPool, type PoolSize } from '../../src/sandbox/warm-pool.js';
import { BoundedQueue } from '../../src/util/bounded-queue.js';
import { FakeSandboxDriver } from '../fakes/fake-sandbox-driver.js';

const spec = { language: 'fake', image: 'coderunner/fake:latest', memoryMb: 64, pids: 16 };
const open: WarmPool[] = [];

function makePool(size: PoolSize, driver = new FakeSandboxDriver({ engineTimeoutMs: 300 })) {
  const warnings: string[] = [];
  const pool = new WarmPool({
    spec,
    size,
    driver,
    creations: new BoundedQueue(2),
    logger: { warn: (_obj, msg) => void warnings.push(msg), debug: () => undefined },
  });
  open.push(pool);
  return { pool, driver, warnings };
}

async function rejection(promise: Promise<unknown>): Promise<SandboxError> {
  const err = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxError);
  return err as SandboxError;
}

const until = (check: () => boolean) =>
  vi.waitFor(() => expect(check()).toBe(true), { timeout: 2000, interval: 5 });

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(open.splice(0).map((p) => p.close()));
});

describe('WarmPool', () => {
  it('fills to its idle size on start, and to its busy size once used', async () => {
    const { pool, driver } = makePool({ idle: 1, busy: 3 });
    pool.start();
    await pool.whenFull(1000);
    expect(pool.stats()).toMatchObject({ target: 1, ready: 1, creating: 0 });
    const first = await pool.acquire();
    expect(first).toBe(driver.sandboxes[0]);
    expect(pool.stats().target).toBe(3);
    await pool.whenFull(1000);
    expect(pool.stats().ready).toBe(3);
    expect(driver.sandboxes).toHaveLength(4);
  });

  it('refills after a hit when the used container is released, or REFILL_DELAY_MS after the hit', async () => {
    const { pool, driver } = makePool({ idle: 2, busy: 2 });
    pool.start();
    await pool.whenFull(1000);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Released: the refill starts then, not while the run that took it is going on.
    const used = await pool.acquire();
    await vi.advanceTimersByTimeAsync(REFILL_DELAY_MS - 1);
    expect(driver.createCalls).toHaveLength(2);
    pool.release(used);
    expect(driver.createCalls).toHaveLength(3);
    // Held longer: the refill starts REFILL_DELAY_MS after the hit all the same.
    await pool.acquire();
    await vi.advanceTimersByTimeAsync(REFILL_DELAY_MS - 1);
    expect(driver.createCalls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(driver.createCalls).toHaveLength(4);
  });

  it('hands out a ready container at once, and otherwise the next one to become ready', async () => {
    const { pool, driver } = makePool({ idle: 0, busy: 0 });
    driver.faults.createDelayMs = 30;
    pool.start();
    expect(driver.createCalls).toHaveLength(0);
    const waiting = pool.acquire();
    expect(pool.stats()).toMatchObject({ waiting: 1, creating: 1 });
    const sandbox = await waiting;
    expect(sandbox.alive).toBe(true);
    expect(pool.stats()).toMatchObject({ waiting: 0, ready: 0 });
  });

  it('removes a released container and refills to the target', async () => {
    const { pool, driver } = makePool({ idle: 2, busy: 2 });
    pool.start();
    await pool.whenFull(1000);
    const sandbox = await pool.acquire();
    pool.release(sandbox);
    await until(() => !driver.sandboxes[0]!.present);
    await pool.whenFull(1000);
    expect(driver.sandboxes[0]).toBe(sandbox);
    expect(driver.present).toHaveLength(2);
    expect(driver.present).not.toContain(sandbox);
  });

  it('shrinks back to the idle size only after idleAfterMs without use, removing the surplus', async () => {
    const { pool, driver } = makePool({ idle: 1, busy: 3 });
    pool.start();
    pool.release(await pool.acquire());
    await pool.whenFull(1000);
    expect(pool.stats().ready).toBe(3);
    pool.shrinkIfIdle(Date.now(), 10000);
    expect(pool.stats()).toMatchObject({ target: 3, ready: 3 });
    pool.shrinkIfIdle(Date.now() + 10001, 10000);
    expect(pool.stats()).toMatchObject({ target: 1, ready: 1 });
    await until(() => driver.present.length === 1);
    // Used again, it grows again.
    await pool.acquire();
    expect(pool.stats().target).toBe(3);
  });

  it('replaces a warm container that dies while it waits', async () => {
    const { pool, driver, warnings } = makePool({ idle: 1, busy: 1 });
    pool.start();
    await pool.whenFull(1000);
    const [dying] = driver.sandboxes;
    dying!.crash();
    await until(() => driver.sandboxes.length === 2 && pool.stats().ready === 1);
    expect(dying!.destroyCalls).toBe(1);
    expect(await pool.acquire()).toBe(driver.sandboxes[1]);
    expect(warnings).toContain('a warm container died; replacing it');
  });

  it('rejects waiting callers at once when creation fails, then refills after a back-off', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { pool, driver } = makePool({ idle: 1, busy: 1 });
    driver.faults.create.push('fail', 'fail', 'fail');
    pool.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(pool.stats().lastError).toMatch(/fake engine failed/);
    expect(driver.createCalls).toHaveLength(1);
    // A caller arriving during the back-off is not made to wait for it: it gets attempts (its own and the
    // target's), and their failure.
    const err = await rejection(pool.acquire());
    expect(err.reason).toBe('unavailable');
    expect(pool.stats().waiting).toBe(0);
    expect(driver.createCalls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(199);
    expect(driver.createCalls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(driver.createCalls).toHaveLength(4);
    expect(pool.stats()).toMatchObject({ ready: 1, lastError: null });
  });

  it('backs off longer after each consecutive failure', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { pool, driver } = makePool({ idle: 1, busy: 1 });
    driver.faults.create.push('fail', 'fail', 'fail');
    pool.start();
    const attemptsAt: number[] = [];
    for (const ms of [0, 199, 1, 399, 1, 799, 1]) {
      await vi.advanceTimersByTimeAsync(ms);
      attemptsAt.push(driver.createCalls.length);
    }
    // Attempts at 0, 200 ms, 600 ms and 1400 ms: 200, 400, 800 ms apart.
    expect(attemptsAt).toEqual([1, 1, 2, 2, 3, 3, 4]);
    expect(pool.stats().ready).toBe(1);
  });

  it('drops a caller whose signal aborts from the line; the container made meanwhile stays ready', async () => {
    const { pool, driver } = makePool({ idle: 0, busy: 0 });
    driver.faults.create.push({ delayMs: 40 });
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    expect(pool.stats().waiting).toBe(1);
    controller.abort(new Error('the client left'));
    expect((await rejection(waiting)).reason).toBe('cancelled');
    expect(pool.stats().waiting).toBe(0);
    await until(() => pool.stats().ready === 1);
    expect(await pool.acquire()).toBe(driver.sandboxes[0]);
    expect(driver.createCalls).toHaveLength(1);
  });

  it('on close rejects waiters, waits for creations in flight and removes every container it holds', async () => {
    const { pool, driver } = makePool({ idle: 2, busy: 2 });
    pool.start();
    await pool.whenFull(1000);
    const leased = [await pool.acquire(), await pool.acquire()];
    driver.faults.createDelayMs = 50;
    const waiting = rejection(pool.acquire());
    expect(pool.stats().creating).toBe(3);
    await pool.close();
    expect((await waiting).message).toMatch(/closing/);
    expect(driver.sandboxes).toHaveLength(5);
    // Only the leased ones are left, for their runs to release.
    expect(driver.present).toEqual(leased);
    expect((await rejection(pool.acquire())).reason).toBe('unavailable');
    for (const s of leased) pool.release(s);
    await until(() => driver.present.length === 0);
  });
});
