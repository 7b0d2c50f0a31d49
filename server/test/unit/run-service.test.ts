// RunService over the fake driver: the run state machine in every path (finished, failed, cancelled while queued,
// acquiring or running), the queue's limits, the deadline, OOM attribution; the container released and inFlight
// back to 0 every time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CodeRunnerError } from '../../src/errors/errors.js';
import { RunService, type RunHooks } from '../../src/runs/run-service.js';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.js';
import {
  createFakeStack,
  fakeRun,
  recordRunPaths,
  type FakeStack,
  type FakeStackOptions,
} from '../fakes/fake-stack.js';
import { teardownTurn } from '../fakes/fake-sandbox-driver.js';
import { TEARDOWN_DELAY_MS } from '../../src/sandbox/sandbox-pools.js';

let stack: FakeStack | null = null;
let paths: string[][] = [];
const cleanups: Array<() => void> = [];

/** A stack whose every RunLifecycle records the states it walks through (in `paths`). */
async function setUp(options: FakeStackOptions = {}): Promise<FakeStack> {
  paths = recordRunPaths();
  stack = await createFakeStack(options);
  return stack;
}

async function codeRunnerError(promise: Promise<unknown>): Promise<CodeRunnerError> {
  const err = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CodeRunnerError);
  return err as CodeRunnerError;
}

const until = (check: () => boolean) =>
  vi.waitFor(() => expect(check()).toBe(true), { timeout: 2000, interval: 5 });

/** Starts a run that holds its slot until aborted. */
async function blocker(s: FakeStack) {
  const controller = new AbortController();
  const done = s.runs.run(fakeRun('sleep 30'), { signal: controller.signal }).catch(() => undefined);
  await until(() => s.runs.stateCounts().running === 1);
  cleanups.push(() => controller.abort(new Error('test over')));
  return { release: () => controller.abort(new Error('released')), done };
}

/** Hooks that abort the run at the first event of `type`. */
function abortOn(type: string): RunHooks & { controller: AbortController } {
  const controller = new AbortController();
  return {
    controller,
    signal: controller.signal,
    onEvent: (e) => e.type === type && controller.abort(new Error('the client left')),
  };
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
  if (stack) {
    const s = stack;
    stack = null;
    await until(() => s.runs.inFlight === 0);
    await teardownTurn();
    expect(s.runs.queueStats()).toEqual({ running: 0, queued: 0 });
    // Every container a run used was released (removed).
    for (const sandbox of s.driver.sandboxes.filter((x) => x.used)) expect(sandbox.destroyCalls).toBe(1);
    await s.close();
    expect(s.driver.present).toEqual([]);
  }
});

describe('RunService', () => {
  it('walks queued → acquiring → running → finished and releases the container', async () => {
    const s = await setUp();
    const result = await s.runs.run(fakeRun('echo hi\nexit 3'));
    expect(result).toMatchObject({ language: 'fake', version: '1.0.0', status: 'runtime_error' });
    expect(result.run).toMatchObject({ stdout: 'hi\n', exitCode: 3 });
    expect(paths).toEqual([['queued', 'acquiring', 'running', 'finished']]);
    expect(s.runs.inFlight).toBe(0);
    await teardownTurn();
    expect(s.driver.sandboxes[0]!.destroyCalls).toBe(1);
  });

  it('fails with 503 CR_ERR_SANDBOX_UNAVAILABLE when the engine hangs and no frame answers', async () => {
    const s = await setUp({ timeouts: { SANDBOX_ENGINE_TIMEOUT_MS: 80 } });
    s.driver.faults.engineHang = true;
    const started = Date.now();
    const err = await codeRunnerError(s.runs.run(fakeRun('echo hi')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(err).toMatchObject({ code: 'CR_ERR_SANDBOX_UNAVAILABLE', statusCode: 503 });
    expect(err.headers['Retry-After']).toBe('5');
    expect(err.message).toMatch(/did not acknowledge/);
    expect(paths).toEqual([['queued', 'acquiring', 'running', 'failed']]);
    expect(s.runs.inFlight).toBe(0);
  });

  it('cancels a run whose client goes away while it is queued, starting no container for it', async () => {
    const s = await setUp({ env: { RUN_MAX_CONCURRENT: '1' } });
    const held = await blocker(s);
    const controller = new AbortController();
    const queued = codeRunnerError(s.runs.run(fakeRun('echo never'), { signal: controller.signal }));
    await until(() => s.runs.stateCounts().queued === 1);
    controller.abort(new Error('the client left'));
    const err = await queued;
    expect(err).toMatchObject({ code: 'CR_ERR_RUN_CANCELLED' });
    expect(err.message).toMatch(/queued/);
    expect(s.runs.inFlight).toBe(1);
    held.release();
    await held.done;
    expect(s.driver.createCalls).toHaveLength(1);
    expect(paths).toContainEqual(['queued', 'cancelled']);
    expect(paths).toContainEqual(['queued', 'acquiring', 'running', 'cancelled']);
  });

  it('cancels a run whose client goes away while a container is being made', async () => {
    const s = await setUp({ timeouts: { RUN_ACQUIRE_TIMEOUT_MS: 5000 } });
    s.driver.faults.createDelayMs = 100;
    const controller = new AbortController();
    const pending = codeRunnerError(s.runs.run(fakeRun('echo never'), { signal: controller.signal }));
    await until(() => s.runs.stateCounts().acquiring === 1);
    controller.abort(new Error('the client left'));
    expect(await pending).toMatchObject({ code: 'CR_ERR_RUN_CANCELLED' });
    expect(paths).toEqual([['queued', 'acquiring', 'cancelled']]);
    expect(s.runs.inFlight).toBe(0);
    // The container made meanwhile goes to the pool, unused; closing the pool removes it.
    await until(() => s.driver.sandboxes.length === 1);
    expect(s.driver.sandboxes[0]!.used).toBe(false);
  });

  it('cancels a running run whose client goes away: the program is killed and the container released', async () => {
    const s = await setUp();
    const hooks = abortOn('stage-begin');
    const err = await codeRunnerError(s.runs.run(fakeRun('sleep 30'), hooks));
    expect(err).toMatchObject({ code: 'CR_ERR_RUN_CANCELLED' });
    expect(paths).toEqual([['queued', 'acquiring', 'running', 'cancelled']]);
    const [sandbox] = s.driver.sandboxes;
    expect(sandbox!.signalsSent).toEqual([9]);
    await teardownTurn();
    expect(sandbox!.destroyCalls).toBe(1);
    expect(s.runs.inFlight).toBe(0);
  });

  it('refuses a run with 429 CR_ERR_RUN_QUEUE_FULL when slots and queue are full', async () => {
    const s = await setUp({ env: { RUN_MAX_CONCURRENT: '1', RUN_MAX_QUEUED: '0' } });
    await blocker(s);
    const err = await codeRunnerError(s.runs.run(fakeRun('echo never')));
    expect(err).toMatchObject({ code: 'CR_ERR_RUN_QUEUE_FULL', statusCode: 429 });
    expect(err.headers['Retry-After']).toBe('1');
    expect(paths).toContainEqual(['queued', 'failed']);
    expect(s.driver.createCalls).toHaveLength(1);
  });

  it('fails a run with 503 CR_ERR_RUN_QUEUE_TIMEOUT when no slot frees in time', async () => {
    const s = await setUp({ env: { RUN_MAX_CONCURRENT: '1' }, timeouts: { RUN_QUEUE_TIMEOUT_MS: 80 } });
    await blocker(s);
    const started = Date.now();
    const err = await codeRunnerError(s.runs.run(fakeRun('echo never')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(err).toMatchObject({ code: 'CR_ERR_RUN_QUEUE_TIMEOUT', statusCode: 503 });
    expect(paths).toContainEqual(['queued', 'failed']);
  });

  it('fails a run with 503 CR_ERR_SANDBOX_UNAVAILABLE when no container comes within the acquire timeout', async () => {
    const s = await setUp({ timeouts: { RUN_ACQUIRE_TIMEOUT_MS: 60 } });
    s.driver.faults.createDelayMs = 150;
    const started = Date.now();
    const err = await codeRunnerError(s.runs.run(fakeRun('echo never')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(Date.now() - started).toBeLessThan(145);
    expect(err).toMatchObject({ code: 'CR_ERR_SANDBOX_UNAVAILABLE', statusCode: 503 });
    expect(paths).toEqual([['queued', 'acquiring', 'failed']]);
  });

  it('fails a run with 503 at once when the engine cannot create containers', async () => {
    const s = await setUp();
    s.driver.faults.create.push('fail');
    const err = await codeRunnerError(s.runs.run(fakeRun('echo never')));
    expect(err).toMatchObject({ code: 'CR_ERR_SANDBOX_UNAVAILABLE', statusCode: 503 });
    expect(err.message).toMatch(/fake engine failed/);
    expect(paths).toEqual([['queued', 'acquiring', 'failed']]);
  });

  it('ends a run at the server deadline when the agent does not keep time', async () => {
    const s = await setUp();
    s.driver.faults.agentIgnoresWallLimit = true;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pending = s.runs.run(fakeRun('sleep 60', { limits: { timeoutMs: 100 } }));
    // The execution budget: the stage's 100 ms, the 3 s grace, one engine deadline (200 ms) for its stage.
    await vi.advanceTimersByTimeAsync(3299);
    expect(s.runs.stateCounts()).toEqual({ running: 1 });
    await vi.advanceTimersByTimeAsync(1);
    const result = await pending;
    expect(result.status).toBe('internal_error');
    expect(result.error).toMatchObject({ code: 'sandbox_deadline' });
    expect(paths).toEqual([['queued', 'acquiring', 'running', 'failed']]);
    // The used container's teardown waits on a (fake) timer too.
    await vi.advanceTimersByTimeAsync(TEARDOWN_DELAY_MS);
  });

  it('reports memory_limit when the engine killed the whole sandbox for memory', async () => {
    const s = await setUp();
    const result = await s.runs.run(fakeRun('echo start\noom-kill'));
    expect(result.status).toBe('memory_limit');
    expect(result.run).toMatchObject({ stdout: 'start\n', signal: 'SIGKILL' });
    expect(result.error).toBeUndefined();
    expect(paths).toEqual([['queued', 'acquiring', 'running', 'finished']]);
  });

  it('reports internal_error, and logs it, when the agent dies otherwise', async () => {
    const s = await setUp();
    const result = await s.runs.run(fakeRun('echo start\ncrash-agent'));
    expect(result.status).toBe('internal_error');
    expect(result.error).toMatchObject({ code: 'sandbox_agent_failed' });
    expect(s.warnings.map((w) => w.msg)).toContain('run failed in the sandbox');
    expect(paths).toEqual([['queued', 'acquiring', 'running', 'failed']]);
  });

  it('runs a compiled language with the run limits applied at the pause', async () => {
    const s = await setUp();
    const result = await s.runs.run({ language: 'fakec', files: [{ name: 'main.fc', content: 'echo ran' }] });
    expect(result.status).toBe('ok');
    expect(result.compile?.stdout).toBe('compiling main.fc\n');
    expect(result.run?.stdout).toBe('ran\n');
    const [sandbox] = s.driver.sandboxes;
    expect(sandbox!.journal).toContain('setLimits 64/16');
    expect(sandbox!.journal.indexOf('setLimits 64/16')).toBeLessThan(
      sandbox!.journal.indexOf('stage-begin 1'),
    );
  });

  it('refuses new runs with 503 once shutting down', async () => {
    const s = await setUp();
    s.runs.beginShutdown();
    const err = await codeRunnerError(s.runs.run(fakeRun('echo never')));
    expect(err).toMatchObject({ code: 'CR_ERR_SERVER_SHUTTING_DOWN', statusCode: 503 });
    expect(s.driver.createCalls).toHaveLength(0);
  });
});

describe('RunService run records', () => {
  const quiet = { warn: () => undefined, info: () => undefined, debug: () => undefined };

  async function withStore(recordAfterReply: boolean) {
    const s = await setUp();
    const store = new SqliteRunStore(':memory:');
    cleanups.push(() => void store.close());
    const runs = new RunService({
      config: s.config,
      registry: s.registry,
      pools: s.pools,
      logger: quiet,
      store,
      recordAfterReply,
    });
    return { runs, store };
  }

  it('embedded: writes the record after the result is handed back, and a lookup still finds it at once', async () => {
    const { runs, store } = await withStore(true);
    const prepared = runs.prepare(fakeRun('echo hi'));
    const result = await runs.execute(prepared);
    expect(result.status).toBe('ok');
    // The caller has the result while the write waits for the event loop's next turn...
    expect(await store.get(prepared.id)).toBeNull();
    // ...and this process reads its own write.
    const record = await runs.lookup(prepared.id, null);
    expect(record).toMatchObject({ id: prepared.id, state: 'finished', result: { status: 'ok' } });
  });

  it('on a worker: the record is written before the result is handed back (API processes read the store)', async () => {
    const { runs, store } = await withStore(false);
    const prepared = runs.prepare(fakeRun('echo hi'));
    await runs.execute(prepared);
    expect(await store.get(prepared.id)).toMatchObject({ id: prepared.id, state: 'finished' });
  });
});
