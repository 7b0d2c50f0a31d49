// The fake driver's own knobs and fault injection (the contract suite covers what it shares with Docker).
import { describe, expect, it } from 'vitest';
import { SandboxError, type ExecuteOptions } from '../../src/sandbox/sandbox.js';
import { collector, request, stage } from '../contract/sandbox-driver-contract.js';
import { FAULT_PROGRAMS, type ProgramContext } from '../fakes/fake-programs.js';
import { FakeSandboxDriver, type FakeSandbox } from '../fakes/fake-sandbox-driver.js';

const spec = { language: 'fake', image: 'coderunner/fake:latest', memoryMb: 64, pids: 16 };

function execute(
  sandbox: FakeSandbox,
  req = request([stage(['true'])]),
  extra: Partial<ExecuteOptions> = {},
) {
  const c = collector();
  const execution = sandbox.execute(req, {
    onEvent: c.onEvent,
    deadlineMs: 5000,
    ackTimeoutMs: 1000,
    ...extra,
  });
  return { execution, ...c };
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxError);
  return (err as SandboxError).reason;
}

/** A program that reads nothing until the test opens its gate, then copies stdin to stdout. */
function gated() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const program = async (ctx: ProgramContext) => {
    await Promise.race([gate, ctx.sleep(Number.POSITIVE_INFINITY)]);
    for (let chunk = await ctx.readStdin(); chunk; chunk = await ctx.readStdin()) ctx.stdout(chunk);
  };
  return { program, open };
}

describe('FakeSandboxDriver', () => {
  it('refuses a second execute: after the agent is done it is gone, while it runs it is a protocol error', async () => {
    const sandbox = await new FakeSandboxDriver().create(spec);
    await execute(sandbox).execution.finished;
    expect(await reasonOf(execute(sandbox).execution.finished)).toBe('agent_failed');
    const fresh = await new FakeSandboxDriver().create(spec);
    const first = execute(fresh, request([stage(['sleep', '0.05'])]));
    expect(await reasonOf(execute(fresh).execution.finished)).toBe('protocol');
    await first.execution.finished;
  });

  it('holds writeStdin while the buffer is full and the program does not read, until it does', async () => {
    const { program, open } = gated();
    const driver = new FakeSandboxDriver({ stdinBufferBytes: 100, programs: { gated: program } });
    const sandbox = await driver.create(spec);
    const run = execute(sandbox, request([stage(['gated'], { attachStdin: true })], { closeStdin: false }));
    await run.execution.writeStdin(Buffer.alloc(40, 'a')); // below the buffer: taken at once
    let taken = false;
    const full = run.execution.writeStdin(Buffer.alloc(80, 'b')).then(() => (taken = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(taken).toBe(false);
    open();
    await full;
    run.execution.closeStdin();
    await run.execution.finished;
    expect(run.outcome().stdout.toString()).toBe('a'.repeat(40) + 'b'.repeat(80));
    expect(sandbox.stdinWrites.map((b) => b.length)).toEqual([40, 80]);
  });

  it('lets the next create calls fail, hang until the engine deadline, or take a while', async () => {
    const driver = new FakeSandboxDriver({ engineTimeoutMs: 60 });
    driver.faults.create.push('fail', 'hang', { delayMs: 40 });
    expect(await reasonOf(driver.create(spec))).toBe('unavailable');
    let started = Date.now();
    expect(await reasonOf(driver.create(spec))).toBe('unavailable');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    started = Date.now();
    const sandbox = await driver.create(spec);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(sandbox.alive).toBe(true);
    expect(driver.createCalls).toHaveLength(3);
    expect(driver.sandboxes).toEqual([sandbox]);
  });

  it('rejects a hanging create with cancelled on abort, and makes no container', async () => {
    const driver = new FakeSandboxDriver({ engineTimeoutMs: 10000 });
    driver.faults.create.push('hang');
    const controller = new AbortController();
    const pending = driver.create(spec, controller.signal);
    setTimeout(() => controller.abort(new Error('gave up')), 20);
    expect(await reasonOf(pending)).toBe('cancelled');
    expect(driver.sandboxes).toEqual([]);
  });

  it('lets a program crash the agent mid-run: the run fails, onExit fires, the container stays listed', async () => {
    const driver = new FakeSandboxDriver({ programs: FAULT_PROGRAMS });
    const sandbox = await driver.create(spec);
    const exited = new Promise<void>((resolve) => sandbox.onExit(resolve));
    const run = execute(sandbox, request([stage(['sh', '-c', 'echo before; crash-agent; echo after'])]));
    expect(await reasonOf(run.execution.finished)).toBe('agent_failed');
    await exited;
    expect(run.outcome().stdout.toString()).toBe('before\n');
    expect(sandbox.alive).toBe(false);
    expect(await sandbox.wasOomKilled()).toBe(false);
    expect(await driver.removeOwned()).toBe(1);
  });

  it('lets a program have the sandbox killed for memory, which wasOomKilled then reports', async () => {
    const sandbox = await new FakeSandboxDriver({ programs: FAULT_PROGRAMS }).create(spec);
    const run = execute(sandbox, request([stage(['oom-kill'])]));
    expect(await reasonOf(run.execution.finished)).toBe('agent_failed');
    expect(await sandbox.wasOomKilled()).toBe(true);
  });

  it('kills a sandbox from outside with crash(), which a waiting run sees as agent_failed', async () => {
    const sandbox = await new FakeSandboxDriver().create(spec);
    const run = execute(sandbox, request([stage(['sleep', '10'])]), {
      onEvent: (e) => e.type === 'stage-begin' && sandbox.crash(),
    });
    expect(await reasonOf(run.execution.finished)).toBe('agent_failed');
  });

  it('skips the rest of the request on a signal while paused, sending done', async () => {
    const sandbox = await new FakeSandboxDriver().create(spec);
    const run = execute(
      sandbox,
      request([stage(['true'], { name: 'compile' }), stage(['echo', 'never'], { pauseBefore: true })]),
      { beforeStage: () => (run.execution.signal(9), new Promise((r) => setTimeout(r, 20))) },
    );
    await run.execution.finished;
    expect(run.events.map((e) => e.type)).toEqual(['stage-begin', 'stage-exit', 'done']);
  });

  it('leaves wall-clock limits to the server when agentIgnoresWallLimit is set', async () => {
    const driver = new FakeSandboxDriver();
    driver.faults.agentIgnoresWallLimit = true;
    const sandbox = await driver.create(spec);
    const run = execute(sandbox, request([stage(['sleep', '10'], { wallMs: 20 })]), { deadlineMs: 120 });
    expect(await reasonOf(run.execution.finished)).toBe('deadline');
    await sandbox.destroy();
  });

  it('records setLimits calls, refuses new limits when it cannot update, and fails on demand', async () => {
    const driver = new FakeSandboxDriver();
    const sandbox = await driver.create(spec);
    await sandbox.setLimits({ memoryMb: 64, pids: 16 });
    await sandbox.setLimits({ memoryMb: 128, pids: 32 });
    expect(sandbox.setLimitsCalls).toEqual([
      { memoryMb: 64, pids: 16 },
      { memoryMb: 128, pids: 32 },
    ]);
    expect(sandbox.limits).toEqual({ memoryMb: 128, pids: 32 });
    driver.faults.setLimitsFails = true;
    expect(await reasonOf(sandbox.setLimits({ memoryMb: 256, pids: 32 }))).toBe('unavailable');
    expect(sandbox.limits).toEqual({ memoryMb: 128, pids: 32 });
    const fixed = await new FakeSandboxDriver({ canUpdateLimits: false }).create(spec);
    await fixed.setLimits({ memoryMb: 64, pids: 16 });
    expect(await reasonOf(fixed.setLimits({ memoryMb: 128, pids: 16 }))).toBe('unavailable');
  });

  it('fails destroy on demand, leaving the container listed for removeOwned', async () => {
    const driver = new FakeSandboxDriver();
    const sandbox = await driver.create(spec);
    driver.faults.destroyFails = true;
    expect(await reasonOf(sandbox.destroy())).toBe('unavailable');
    expect(sandbox.alive).toBe(false);
    expect(await driver.removeOwned()).toBe(1);
  });

  it('counts orphans once, and fails ping on demand', async () => {
    const driver = new FakeSandboxDriver();
    driver.orphans = 3;
    expect(await driver.removeOrphans()).toBe(3);
    expect(await driver.removeOrphans()).toBe(0);
    await driver.ping();
    driver.faults.pingFails = true;
    expect(await reasonOf(driver.ping())).toBe('unavailable');
  });

  it('reports an unknown program as the agent does, and refuses shell syntax it lacks', async () => {
    const driver = new FakeSandboxDriver();
    const unknown = execute(await driver.create(spec), request([stage(['python3', 'main.py'])]));
    await unknown.execution.finished;
    expect(unknown.outcome().exits[0]?.exitCode).toBe(127);
    expect(unknown.outcome().stderr.toString()).toBe(
      'coderunner: cannot run python3: No such file or directory\n',
    );
    const piped = execute(await driver.create(spec), request([stage(['sh', '-c', 'echo a | cat'])]));
    await piped.execution.finished;
    expect(piped.outcome().exits[0]?.exitCode).toBe(2);
    expect(piped.outcome().stderr.toString()).toMatch(/unsupported syntax/);
  });

  it('runs a script file with quoting and exit, like dash', async () => {
    const files = [
      {
        name: 'main.sh',
        content: Buffer.from('echo \'a  b\' "c"\n# note\necho d; exit 4\necho never\n'),
        executable: false,
      },
    ];
    const run = execute(
      await new FakeSandboxDriver().create(spec),
      request([stage(['sh', 'main.sh'])], { files }),
    );
    await run.execution.finished;
    expect(run.outcome().stdout.toString()).toBe('a  b c\nd\n');
    expect(run.outcome().exits[0]?.exitCode).toBe(4);
  });

  it('refuses what the real agent refuses, as a protocol error', async () => {
    const run = execute(await new FakeSandboxDriver().create(spec), request([stage([])]));
    expect(await reasonOf(run.execution.finished)).toBe('protocol');
  });

  it('keeps the built-in programs from being replaced', () => {
    expect(() => new FakeSandboxDriver().registerProgram('cat', () => 0)).toThrow(/built-in/);
  });
});
