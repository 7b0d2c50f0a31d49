// SandboxPools and the limit policy over the fake driver: under runc a warm container gets new limits before
// the first stage and at the pause before the run stage; gVisor-like (limits fixed at creation) gets a container
// made to measure, removed after its run.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentRequest } from '../../src/sandbox/agent-protocol.js';
import { SandboxError } from '../../src/sandbox/sandbox.js';
import { SandboxPools } from '../../src/sandbox/sandbox-pools.js';
import type { SandboxLease } from '../../src/sandbox/sandbox-lease.js';
import { collector, request, stage } from '../contract/sandbox-driver-contract.js';
import {
  FakeSandboxDriver,
  teardownTurn,
  type FakeDriverOptions,
  type FakeSandbox,
} from '../fakes/fake-sandbox-driver.js';

const small = { memoryMb: 64, pids: 16 };
const large = { memoryMb: 512, pids: 128 };
const SPECS = [
  { language: 'fake', image: 'coderunner/fake:latest', ...small },
  // A compiled language: its warm containers have the compile stage's limits.
  { language: 'fakec', image: 'coderunner/fakec:latest', ...large },
];
const COMPILE_THEN_RUN = request([
  stage(['echo', 'compiling'], { name: 'compile' }),
  stage(['echo', 'running'], { attachStdin: true }),
]);
const RUN_ONLY = request([stage(['echo', 'running'], { attachStdin: true })]);

const open: SandboxPools[] = [];

function makePools(driverOptions: FakeDriverOptions = {}, maxConcurrentCreates = 2) {
  const driver = new FakeSandboxDriver({ engineTimeoutMs: 5000, ...driverOptions });
  const pools = new SandboxPools({
    driver,
    specs: SPECS,
    sizeFor: () => ({ idle: 1, busy: 1 }),
    idleAfterMs: 60000,
    maxConcurrentCreates,
    logger: { warn: () => undefined, debug: () => undefined },
  });
  open.push(pools);
  pools.start();
  return { driver, pools };
}

async function runOn(lease: SandboxLease, req: AgentRequest) {
  const c = collector();
  await lease.execute(req, { onEvent: c.onEvent, deadlineMs: 5000, ackTimeoutMs: 1000 }).finished;
  lease.release();
  return c.outcome();
}

/** The journal entries of interest, in order: limit changes, the pause, stage starts. */
const steps = (sandbox: FakeSandbox) =>
  sandbox.journal.filter((e) => /^(setLimits|execute|paused|go|stage-begin)/.test(e));

afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

describe('SandboxPools under runc (limits can change)', () => {
  it("gives a warm container the first stage's limits before the run", async () => {
    const { driver, pools } = makePools();
    await pools.whenFull(1000);
    const lease = await pools.acquire('fake', {
      first: { memoryMb: 128, pids: 16 },
      run: { memoryMb: 128, pids: 16 },
    });
    const sandbox = lease.sandbox as FakeSandbox;
    expect(driver.sandboxes.slice(0, 2)).toContain(sandbox); // a warm one
    const out = await runOn(lease, RUN_ONLY);
    expect(out.stdout.toString()).toBe('running\n');
    expect(steps(sandbox)).toEqual(['setLimits 128/16', 'execute', 'stage-begin 0']);
  });

  it("lowers the limits to the run stage's while the agent pauses after the compile", async () => {
    const { pools } = makePools();
    await pools.whenFull(1000);
    const lease = await pools.acquire('fakec', { first: large, run: small });
    const sandbox = lease.sandbox as FakeSandbox;
    const out = await runOn(lease, COMPILE_THEN_RUN);
    expect(out.stdout.toString()).toBe('compiling\nrunning\n');
    expect(steps(sandbox)).toEqual([
      'execute',
      'stage-begin 0',
      'paused 1',
      'setLimits 64/16',
      'go',
      'stage-begin 1',
    ]);
    expect(sandbox.limits).toEqual(small);
  });

  it('neither changes limits nor pauses when the pool already has the right ones', async () => {
    const { pools } = makePools();
    await pools.whenFull(1000);
    const lease = await pools.acquire('fake', { first: small, run: small });
    const sandbox = lease.sandbox as FakeSandbox;
    await runOn(lease, RUN_ONLY);
    expect(steps(sandbox)).toEqual(['execute', 'stage-begin 0']);
    expect(sandbox.setLimitsCalls).toEqual([]);
  });

  it('releases a lease whose limits cannot be applied, and throws', async () => {
    const { driver, pools } = makePools();
    await pools.whenFull(1000);
    driver.faults.setLimitsFails = true;
    const err = await pools.acquire('fake', { first: large, run: large }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).reason).toBe('unavailable');
    const used = driver.sandboxes.find((s) => s.setLimitsCalls.length > 0)!;
    await teardownTurn();
    expect(used.destroyCalls).toBe(1);
    await pools.whenFull(1000); // and the pool refills
  });

  it('removes a released container once, however often its lease is released', async () => {
    const { pools } = makePools();
    await pools.whenFull(1000);
    const lease = await pools.acquire('fake', { first: small, run: small });
    lease.release();
    lease.release();
    await teardownTurn();
    lease.release();
    expect((lease.sandbox as FakeSandbox).destroyCalls).toBe(1);
  });

  it('tears a released container down on the next turn of the event loop, or at once when the pools close', async () => {
    const { pools } = makePools();
    await pools.whenFull(1000);
    const first = await pools.acquire('fake', { first: small, run: small });
    first.release();
    // The caller's reply goes out first: nothing is removed in the same turn.
    expect((first.sandbox as FakeSandbox).destroyCalls).toBe(0);
    await teardownTurn();
    expect((first.sandbox as FakeSandbox).destroyCalls).toBe(1);
    const second = await pools.acquire('fake', { first: small, run: small });
    second.release();
    const closing = pools.close();
    // Run by close() itself, not by the next turn of the event loop.
    expect((second.sandbox as FakeSandbox).destroyCalls).toBe(1);
    await closing;
  });

  it('refuses a language it has no pool for', async () => {
    const { pools } = makePools();
    await expect(pools.acquire('cobol', { first: small, run: small })).rejects.toThrow(
      /no pool for language/,
    );
  });
});

describe('SandboxPools gVisor-like (limits fixed at creation)', () => {
  it('makes a container to measure when the request needs other limits, and removes it after', async () => {
    const { driver, pools } = makePools({ canUpdateLimits: false });
    await pools.whenFull(1000);
    const warm = [...driver.sandboxes];
    const wanted = { memoryMb: 128, pids: 16 };
    const lease = await pools.acquire('fake', { first: wanted, run: wanted });
    const dedicated = lease.sandbox as FakeSandbox;
    expect(warm).not.toContain(dedicated);
    expect(dedicated.spec).toEqual({ ...SPECS[0], ...wanted });
    await runOn(lease, RUN_ONLY);
    expect(dedicated.setLimitsCalls).toEqual([]);
    await teardownTurn();
    expect(dedicated.destroyCalls).toBe(1);
    // The pool's own containers were not touched, and the dedicated one never joins them.
    expect(pools.stats().map((s) => s.ready)).toEqual([1, 1]);
    expect(warm.every((s) => s.alive && !s.used)).toBe(true);
  });

  it('takes a warm container when the limits fit, and keeps the compile limits for the run stage', async () => {
    const { driver, pools } = makePools({ canUpdateLimits: false });
    await pools.whenFull(1000);
    const lease = await pools.acquire('fakec', { first: large, run: small });
    const sandbox = lease.sandbox as FakeSandbox;
    expect(driver.sandboxes.slice(0, 2)).toContain(sandbox);
    await runOn(lease, COMPILE_THEN_RUN);
    expect(steps(sandbox)).toEqual(['execute', 'stage-begin 0', 'stage-begin 1']);
    expect(sandbox.limits).toEqual(large);
  });

  it('cancels the creation of a container to measure when the signal aborts', async () => {
    const { driver, pools } = makePools({ canUpdateLimits: false });
    await pools.whenFull(1000);
    driver.faults.create.push('hang');
    const controller = new AbortController();
    const pending = pools.acquire('fake', { first: large, run: large }, controller.signal);
    setTimeout(() => controller.abort(new Error('the client left')), 10);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).reason).toBe('cancelled');
  });

  it('rejects with cancelled when the signal aborts while waiting for a creation slot', async () => {
    const { driver, pools } = makePools({ canUpdateLimits: false }, 1);
    await pools.whenFull(1000);
    // The one creation slot is taken by a creation that hangs.
    driver.faults.create.push('hang');
    const first = pools.acquire('fake', { first: large, run: large }, AbortSignal.timeout(100));
    await vi.waitFor(() => expect(driver.createCalls).toHaveLength(3));
    const controller = new AbortController();
    const second = pools.acquire('fake', { first: large, run: large }, controller.signal);
    controller.abort(new Error('the client left'));
    for (const pending of [second, first]) {
      const err = await pending.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SandboxError);
      expect((err as SandboxError).reason).toBe('cancelled');
    }
  });
});
