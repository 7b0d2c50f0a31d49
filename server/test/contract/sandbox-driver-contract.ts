/**
 * The SandboxDriver contract (src/sandbox/sandbox.ts), as cases every driver must pass, in the manner of hono's
 * shared router suite: one function defines them, each driver's file calls it (docker-driver.contract.test.ts
 * on a real engine, fake-driver.contract.test.ts on the in-memory fake). A fake that passes these is a fake unit
 * tests may trust; a behaviour the Docker driver shows and the fake does not is a bug in the fake.
 *
 * Programs are the commands every runtime image has (Debian trixie coreutils and dash): echo, cat, sleep, true,
 * false, sh -c. One case needs a fault no real engine can be made to show on demand: an engine that relays no
 * frame at all, where the ack timeout must fire. It runs only when the driver under test offers the
 * `hangEngine` hook (the fake does); on Docker it is reported as skipped, not pretended. test/faults.test.ts
 * covers the real thing by freezing dockerd.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IMAGE_LABELS } from '../../src/runtimes/runtime-manifest.js';
import type { AgentEvent, AgentRequest, AgentStage, StageExit } from '../../src/sandbox/agent-protocol.js';
import {
  SandboxError,
  type ExecuteOptions,
  type Sandbox,
  type SandboxDriver,
  type SandboxSpec,
} from '../../src/sandbox/sandbox.js';

export interface DriverContractOptions {
  /** A spec whose image exists. */
  spec: SandboxSpec;
  /** An image name that does not exist. */
  missingImage: string;
  /** What `canUpdateLimits` must say (true under runc, false under gVisor). */
  canUpdateLimits: boolean;
  /** Longest one case may take (a real engine needs seconds per container, the fake milliseconds). */
  caseTimeoutMs?: number;
  /** Fault hooks only a fake can offer; cases that need one are skipped without it. */
  faults?: {
    /** From now on the engine relays nothing between server and agent. */
    hangEngine(driver: SandboxDriver): void;
  };
}

const ENV = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME=/work',
  'LANG=C.UTF-8',
];

/** A stage with generous limits, overridden by `extra`. */
export function stage(argv: string[], extra: Partial<AgentStage> = {}): AgentStage {
  return {
    name: 'run',
    argv,
    env: ENV,
    wallMs: 20000,
    cpuMs: 20000,
    fileSizeBytes: 1024 * 1024,
    outputBytes: 4 * 1024 * 1024,
    attachStdin: false,
    pauseBefore: false,
    ...extra,
  };
}

/** A request of these stages, no files, stdin closed, overridden by `extra`. */
export function request(stages: AgentStage[], extra: Partial<AgentRequest> = {}): AgentRequest {
  return { files: [], stages, stdin: Buffer.alloc(0), closeStdin: true, ...extra };
}

/** What one execution produced. */
export interface Outcome {
  events: AgentEvent[];
  stdout: Buffer;
  stderr: Buffer;
  exits: StageExit[];
}

/** Collects the events of an execution as they come. */
export function collector() {
  const events: AgentEvent[] = [];
  const outcome = (): Outcome => ({
    events,
    stdout: Buffer.concat(events.flatMap((e) => (e.type === 'stdout' ? [e.data] : []))),
    stderr: Buffer.concat(events.flatMap((e) => (e.type === 'stderr' ? [e.data] : []))),
    exits: events.flatMap((e) => (e.type === 'stage-exit' ? [e.exit] : [])),
  });
  return { events, onEvent: (event: AgentEvent) => void events.push(event), outcome };
}

/** Event types in order, with consecutive output chunks of one stream counted once. */
function shape(events: readonly AgentEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const name =
      e.type === 'stage-begin' || e.type === 'paused'
        ? `${e.type} ${e.stage}`
        : e.type === 'stage-exit'
          ? `stage-exit ${e.exit.stage}`
          : e.type;
    if (out[out.length - 1] !== name || (e.type !== 'stdout' && e.type !== 'stderr')) out.push(name);
  }
  return out;
}

/** Rejects when `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The SandboxError a promise rejects with (fails the test when it resolves or rejects otherwise). */
async function sandboxError(promise: Promise<unknown>): Promise<SandboxError> {
  const err = await promise.then(
    () => new Error('resolved, expected a SandboxError'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxError);
  return err as SandboxError;
}

/** Defines the contract cases for a driver made fresh for each case by `makeDriver`. */
export function sandboxDriverContract(
  name: string,
  makeDriver: () => SandboxDriver | Promise<SandboxDriver>,
  options: DriverContractOptions,
): void {
  const { spec } = options;
  const timeout = options.caseTimeoutMs ?? 30000;
  /** How long a case waits for something the driver must do promptly (an exit after a kill, say). */
  const prompt = Math.min(10000, timeout / 2);

  describe(`SandboxDriver contract: ${name}`, () => {
    let driver: SandboxDriver;
    let made: Sandbox[] = [];

    const create = async (): Promise<Sandbox> => {
      const sandbox = await driver.create(spec);
      made.push(sandbox);
      return sandbox;
    };

    const execute = (sandbox: Sandbox, req: AgentRequest, extra: Partial<ExecuteOptions> = {}) => {
      const c = collector();
      const execution = sandbox.execute(req, {
        deadlineMs: 30000,
        ackTimeoutMs: 10000,
        ...extra,
        // Every event is collected; a case's own onEvent sees it too.
        onEvent: (event) => {
          c.onEvent(event);
          extra.onEvent?.(event);
        },
      });
      return { execution, ...c };
    };

    const runToEnd = async (req: AgentRequest, extra: Partial<ExecuteOptions> = {}): Promise<Outcome> => {
      const sandbox = await create();
      const run = execute(sandbox, req, extra);
      await run.execution.finished;
      return run.outcome();
    };

    const exitOf = (sandbox: Sandbox) => new Promise<void>((resolve) => sandbox.onExit(resolve));

    beforeEach(async () => {
      driver = await makeDriver();
      made = [];
    });

    afterEach(async () => {
      await Promise.allSettled(made.map((s) => s.destroy()));
      // Destroying every sandbox it made leaves the driver owning nothing.
      expect(await driver.removeOwned()).toBe(0);
    });

    it('answers ping and reads image labels, null for a missing image', async () => {
      await driver.ping();
      const labels = await driver.inspectImage(spec.image);
      expect(labels).not.toBeNull();
      expect(labels).toHaveProperty([IMAGE_LABELS.version]);
      expect(await driver.inspectImage(options.missingImage)).toBeNull();
    });

    it(`says whether it can change a running container's limits (${String(options.canUpdateLimits)})`, () => {
      expect(driver.canUpdateLimits).toBe(options.canUpdateLimits);
    });

    it(
      'creates a ready sandbox with its spec',
      async () => {
        const sandbox = await create();
        expect(typeof sandbox.id).toBe('string');
        expect(sandbox.id).not.toBe('');
        expect(sandbox.spec).toEqual(spec);
        expect(sandbox.alive).toBe(true);
      },
      timeout,
    );

    it(
      'runs echo: stage-begin, stdout, stage-exit, done, in that order',
      async () => {
        const out = await runToEnd(request([stage(['echo', 'hello', 'world'])]));
        expect(shape(out.events)).toEqual(['stage-begin 0', 'stdout', 'stage-exit 0', 'done']);
        expect(out.stdout.toString()).toBe('hello world\n');
        expect(out.exits[0]).toMatchObject({ stage: 0, exitCode: 0, signal: null, limit: 'none' });
      },
      timeout,
    );

    it(
      'writes the request files to the work dir, where cat reads them',
      async () => {
        const files = [
          { name: 'a.txt', content: Buffer.from('first\n'), executable: false },
          { name: 'dir/b.txt', content: Buffer.from('second\n'), executable: false },
        ];
        const out = await runToEnd(request([stage(['cat', 'a.txt', 'dir/b.txt'])], { files }));
        expect(out.stdout.toString()).toBe('first\nsecond\n');
        expect(out.exits[0]?.exitCode).toBe(0);
      },
      timeout,
    );

    it(
      'reports stderr and the exit code of a failing program',
      async () => {
        const out = await runToEnd(request([stage(['cat', 'missing.txt'])]));
        expect(out.stderr.toString()).toBe('cat: missing.txt: No such file or directory\n');
        expect(out.exits[0]).toMatchObject({ exitCode: 1, signal: null, limit: 'none' });
      },
      timeout,
    );

    it.each([
      [['true'], 0],
      [['false'], 1],
      [['sh', '-c', 'exit 7'], 7],
    ])(
      'reports the exit code of %j (%i)',
      async (argv, code) => {
        const out = await runToEnd(request([stage(argv)]));
        expect(out.exits[0]).toMatchObject({ exitCode: code, signal: null, limit: 'none' });
      },
      timeout,
    );

    it(
      'gives the request stdin to the stage that has stdin attached',
      async () => {
        const out = await runToEnd(
          request([stage(['cat'], { attachStdin: true })], {
            stdin: Buffer.from('typed\n'),
            closeStdin: true,
          }),
        );
        expect(out.stdout.toString()).toBe('typed\n');
      },
      timeout,
    );

    it(
      'round-trips 1 MiB of stdin written in awaited chunks, then end of input',
      async () => {
        const data = randomBytes(1024 * 1024);
        const sandbox = await create();
        const run = execute(sandbox, request([stage(['cat'], { attachStdin: true })], { closeStdin: false }));
        for (let offset = 0; offset < data.length; offset += 64 * 1024)
          await within(
            run.execution.writeStdin(data.subarray(offset, offset + 64 * 1024)),
            prompt,
            'a write',
          );
        run.execution.closeStdin();
        await run.execution.finished;
        expect(run.outcome().stdout.equals(data)).toBe(true);
      },
      timeout,
    );

    it(
      'delivers stdin written before the program reads it, in order, once it does',
      async () => {
        const data = randomBytes(512 * 1024);
        const sandbox = await create();
        const run = execute(
          sandbox,
          request([stage(['sh', '-c', 'sleep 0.3; cat'], { attachStdin: true })], { closeStdin: false }),
        );
        const writes: Array<Promise<void>> = [];
        for (let offset = 0; offset < data.length; offset += 32 * 1024)
          writes.push(run.execution.writeStdin(data.subarray(offset, offset + 32 * 1024)));
        await within(Promise.all(writes), prompt, 'the writes');
        run.execution.closeStdin();
        await run.execution.finished;
        expect(run.outcome().stdout.equals(data)).toBe(true);
      },
      timeout,
    );

    it(
      'pauses before a stage marked pauseBefore until beforeStage resolves, without a paused event',
      async () => {
        const sandbox = await create();
        const order: string[] = [];
        const run = execute(
          sandbox,
          request([
            stage(['echo', 'compiling'], { name: 'compile' }),
            stage(['echo', 'running'], { pauseBefore: true }),
          ]),
          {
            onEvent: (event) =>
              order.push(
                event.type === 'stage-begin'
                  ? `begin ${event.stage}`
                  : event.type === 'stage-exit'
                    ? 'exit'
                    : '',
              ),
            beforeStage: async (index) => {
              order.push(`before ${index}`);
              await new Promise((r) => setTimeout(r, 50));
            },
          },
        );
        await run.execution.finished;
        expect(order.filter(Boolean)).toEqual(['begin 0', 'exit', 'before 1', 'begin 1', 'exit']);
        expect(run.events.some((e) => e.type === 'paused')).toBe(false);
      },
      timeout,
    );

    it(
      'fails the run with unavailable when beforeStage rejects',
      async () => {
        const sandbox = await create();
        const run = execute(
          sandbox,
          request([stage(['true'], { name: 'compile' }), stage(['echo', 'never'], { pauseBefore: true })]),
          { beforeStage: () => Promise.reject(new Error('no update today')) },
        );
        const err = await sandboxError(run.execution.finished);
        expect(err.reason).toBe('unavailable');
        expect(err.message).toMatch(/no update today/);
        expect(run.events.some((e) => e.type === 'stage-begin' && e.stage === 1)).toBe(false);
      },
      timeout,
    );

    it(
      'skips the run stage when the compile stage fails',
      async () => {
        const out = await runToEnd(
          request([stage(['false'], { name: 'compile' }), stage(['echo', 'never'], { pauseBefore: true })]),
        );
        expect(shape(out.events)).toEqual(['stage-begin 0', 'stage-exit 0', 'done']);
        expect(out.exits[0]?.exitCode).toBe(1);
      },
      timeout,
    );

    it.each([
      [9, 'SIGKILL'],
      [15, 'SIGTERM'],
    ])(
      'kills the running stage on signal(%i) (%s)',
      async (signal) => {
        const sandbox = await create();
        const started = Date.now();
        const run = execute(sandbox, request([stage(['sleep', '20'])]), {
          onEvent: (event) => {
            if (event.type === 'stage-begin') run.execution.signal(signal);
          },
        });
        await run.execution.finished;
        expect(run.outcome().exits[0]).toMatchObject({ exitCode: null, signal, limit: 'killed' });
        expect(Date.now() - started).toBeLessThan(prompt);
      },
      timeout,
    );

    it(
      "ends a stage at its wall-clock limit with the agent's own SIGKILL",
      async () => {
        const out = await runToEnd(request([stage(['sleep', '20'], { wallMs: 400 })]));
        expect(out.exits[0]).toMatchObject({ exitCode: null, signal: 9, limit: 'wall' });
        expect(out.exits[0]!.wallTimeMs).toBeGreaterThanOrEqual(350);
      },
      timeout,
    );

    it(
      'ends a stage that writes past its output cap, forwarding at most the cap',
      async () => {
        const big = { name: 'big.txt', content: Buffer.alloc(200 * 1024, 'x'), executable: false };
        const out = await runToEnd(
          request([stage(['cat', 'big.txt'], { outputBytes: 1000 })], { files: [big] }),
        );
        expect(out.exits[0]).toMatchObject({ limit: 'output', stdoutTruncated: true });
        expect(out.stdout.length).toBeLessThanOrEqual(1000);
      },
      timeout,
    );

    it(
      'sends back the files under out/ and those a glob names, within the caps, after a collecting stage',
      async () => {
        const file = (name: string, bytes: Buffer) => ({ name, content: bytes, executable: false });
        const big = Buffer.alloc(150 * 1024, 7);
        const out = await runToEnd(
          request([stage(['true'], { collectOutputs: true })], {
            files: [
              file('out/plot.png', big),
              file('out/notes/a.txt', Buffer.from('a\n')),
              file('report.csv', Buffer.from('x,y\n')),
              file('other.txt', Buffer.from('not wanted')),
            ],
            outputGlobs: ['report.csv'],
            maxOutputFiles: 2,
            maxOutputBytes: 1024 * 1024,
          }),
        );
        const chunks = out.events.filter((e) => e.type === 'output-file');
        const files = new Map<string, Buffer>();
        for (const c of chunks)
          files.set(c.name, Buffer.concat([files.get(c.name) ?? Buffer.alloc(0), c.data]));
        // Sorted by name, at most 2: out/notes/a.txt and out/plot.png; report.csv is left out by the count cap.
        expect([...files.keys()]).toEqual(['out/notes/a.txt', 'out/plot.png']);
        expect(files.get('out/plot.png')!.equals(big)).toBe(true);
        expect(chunks.filter((c) => c.name === 'out/plot.png').length).toBeGreaterThan(1);
        expect(out.events.find((e) => e.type === 'outputs')).toEqual({
          type: 'outputs',
          stage: 0,
          kept: 2,
          truncated: true,
        });
        expect(shape(out.events).at(-1)).toBe('done');
      },
      timeout,
    );

    it(
      'runs one run stage per test case, each with its own stdin, after a compile stage',
      async () => {
        const file = (name: string, text: string) => ({
          name,
          content: Buffer.from(text),
          executable: false,
        });
        const own = (text: string) => ({ ownStdin: Buffer.from(text), resetWorkDir: true });
        const out = await runToEnd(
          request(
            [
              stage(['true'], { name: 'compile' }),
              stage(['cat'], own('first\n')),
              stage(['cat'], { ...own('second\n'), files: [file('extra.txt', 'extra\n')] }),
              stage(['sh', '-c', 'cat extra.txt; cat'], own('third\n')),
              stage(['cat', 'base.txt'], own('')),
            ],
            { files: [file('base.txt', 'base\n')] },
          ),
        );
        expect(out.exits.map((e) => [e.stage, e.exitCode])).toEqual([
          [0, 0],
          [1, 0],
          [2, 0],
          [3, 0],
          [4, 0],
        ]);
        // The stage files of test 2 are gone after the next reset; the request's own files come back each time.
        expect(out.stderr.toString()).toContain('extra.txt');
        expect(out.stdout.toString()).toBe('first\nsecond\nthird\nbase\n');
        expect(shape(out.events).filter((e) => e.startsWith('stage-begin'))).toHaveLength(5);
      },
      timeout,
    );

    it(
      'with truncateOutput, drops what is past the cap and lets the program go on to its own end',
      async () => {
        const big = { name: 'big.txt', content: Buffer.alloc(200 * 1024, 'x'), executable: false };
        const out = await runToEnd(
          request(
            [
              stage(['sh', '-c', 'cat big.txt; echo after; exit 3'], {
                outputBytes: 1000,
                truncateOutput: true,
              }),
            ],
            {
              files: [big],
            },
          ),
        );
        expect(out.exits[0]).toMatchObject({ exitCode: 3, limit: 'none', stdoutTruncated: true });
        expect(out.stdout.toString()).toBe('x'.repeat(1000));
        expect(out.exits[0]!.outputBytes).toBe(200 * 1024 + 'after\n'.length);
      },
      timeout,
    );

    it(
      'rejects with deadline when the exchange outlives the server deadline',
      async () => {
        const sandbox = await create();
        const started = Date.now();
        const run = execute(sandbox, request([stage(['sleep', '20'])]), { deadlineMs: 600 });
        const err = await sandboxError(run.execution.finished);
        expect(err.reason).toBe('deadline');
        expect(Date.now() - started).toBeGreaterThanOrEqual(550);
        expect(Date.now() - started).toBeLessThan(prompt);
      },
      timeout,
    );

    it.skipIf(!options.faults)(
      'fails with unavailable when no frame answers within ackTimeoutMs (fake only: needs an engine that hangs on demand)',
      async () => {
        const sandbox = await create();
        options.faults!.hangEngine(driver);
        const started = Date.now();
        const run = execute(sandbox, request([stage(['echo', 'lost'])]), { ackTimeoutMs: 150 });
        const err = await sandboxError(run.execution.finished);
        expect(err.reason).toBe('unavailable');
        expect(Date.now() - started).toBeGreaterThanOrEqual(140);
        expect(run.events).toEqual([]);
      },
      timeout,
    );

    it(
      'on abort rejects with cancelled and kills the program, after which the agent exits',
      async () => {
        const sandbox = await create();
        const exited = exitOf(sandbox);
        const controller = new AbortController();
        const run = execute(sandbox, request([stage(['sleep', '20'])]), {
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === 'stage-begin') controller.abort(new Error('the client left'));
          },
        });
        const err = await sandboxError(run.execution.finished);
        expect(err.reason).toBe('cancelled');
        // The program was killed: the agent finishes the request and exits long before sleep 20 would end.
        await within(exited, prompt, 'the agent exiting after the kill');
        expect(sandbox.alive).toBe(false);
      },
      timeout,
    );

    it(
      'rejects with cancelled when the signal is already aborted',
      async () => {
        const sandbox = await create();
        const run = execute(sandbox, request([stage(['echo', 'never'])]), { signal: AbortSignal.abort() });
        expect((await sandboxError(run.execution.finished)).reason).toBe('cancelled');
      },
      timeout,
    );

    it(
      'fails a run whose sandbox is destroyed while it runs',
      async () => {
        const sandbox = await create();
        const run = execute(sandbox, request([stage(['sleep', '20'])]), {
          onEvent: (event) => {
            if (event.type === 'stage-begin') void sandbox.destroy();
          },
        });
        const err = await within(sandboxError(run.execution.finished), prompt, 'the run failing');
        expect(err.reason).toBe('agent_failed');
      },
      timeout,
    );

    it(
      'rejects execute on a destroyed sandbox',
      async () => {
        const sandbox = await create();
        await sandbox.destroy();
        const run = execute(sandbox, request([stage(['echo', 'never'])]));
        expect((await sandboxError(run.execution.finished)).reason).toBe('agent_failed');
      },
      timeout,
    );

    it(
      'destroys idempotently: alive turns false and onExit fires once',
      async () => {
        const sandbox = await create();
        let exits = 0;
        sandbox.onExit(() => exits++);
        await Promise.all([sandbox.destroy(), sandbox.destroy()]);
        await sandbox.destroy();
        expect(sandbox.alive).toBe(false);
        await within(
          (async () => {
            while (exits === 0) await new Promise((r) => setTimeout(r, 10));
          })(),
          prompt,
          'onExit',
        );
        let late = false;
        sandbox.onExit(() => (late = true));
        expect(late).toBe(true);
        expect(exits).toBe(1);
      },
      timeout,
    );

    it(
      'fires onExit once the agent is done with its request',
      async () => {
        const sandbox = await create();
        const exited = exitOf(sandbox);
        await execute(sandbox, request([stage(['true'])])).execution.finished;
        await within(exited, prompt, 'onExit after done');
        expect(sandbox.alive).toBe(false);
        expect(await sandbox.wasOomKilled()).toBe(false);
      },
      timeout,
    );

    it(
      'removeOwned removes every container it created, which then count as gone',
      async () => {
        const [a, b] = [await create(), await create()];
        const exited = Promise.all([exitOf(a), exitOf(b)]);
        expect(await driver.removeOwned()).toBe(2);
        await within(exited, prompt, 'both agents gone');
        expect([a.alive, b.alive]).toEqual([false, false]);
        expect(await driver.removeOwned()).toBe(0);
        await a.destroy(); // the container is gone already: still fine
      },
      timeout,
    );

    it(
      'rejects create with an already aborted signal as cancelled, leaving no container',
      async () => {
        const err = await sandboxError(driver.create(spec, AbortSignal.abort()));
        expect(err.reason).toBe('cancelled');
        expect(await driver.removeOwned()).toBe(0);
      },
      timeout,
    );

    it.runIf(options.canUpdateLimits)(
      'changes the limits of a ready sandbox, which then runs',
      async () => {
        const sandbox = await create();
        await sandbox.setLimits({ memoryMb: spec.memoryMb + 64, pids: spec.pids + 16 });
        await sandbox.setLimits({ memoryMb: spec.memoryMb + 64, pids: spec.pids + 16 }); // no-op: current
        const run = execute(sandbox, request([stage(['echo', 'ok'])]));
        await run.execution.finished;
        expect(run.outcome().stdout.toString()).toBe('ok\n');
      },
      timeout,
    );

    it(
      'treats setLimits with the current limits as a no-op',
      async () => {
        const sandbox = await create();
        await sandbox.setLimits({ memoryMb: spec.memoryMb, pids: spec.pids });
        const run = execute(sandbox, request([stage(['echo', 'ok'])]));
        await run.execution.finished;
        expect(run.outcome().stdout.toString()).toBe('ok\n');
      },
      timeout,
    );
  });
}
