/**
 * An in-memory SandboxDriver that keeps the interface contracts of src/sandbox/sandbox.ts (the shared contract
 * suite in test/contract/ checks it against the same cases as the Docker driver), with fault knobs for unit
 * tests. Programs are the few commands every runtime image has (fake-programs.ts) plus any a test registers.
 *
 * @example
 *   const driver = new FakeSandboxDriver({ stdinBufferBytes: 1024 });
 *   driver.faults.create.push('fail');             // the next create fails
 *   driver.registerProgram('wedge', (ctx) => ctx.sleep(60000));
 *   const sandbox = await driver.create({ language: 'fake', image: 'coderunner/fake:latest', memoryMb: 64, pids: 16 });
 */
import { IMAGE_LABELS } from '../../src/runtimes/runtime-manifest.js';
import { abortedError } from '../../src/sandbox/engine-call.js';
import { TEARDOWN_DELAY_MS } from '../../src/sandbox/sandbox-pools.js';
import { SandboxError, type SandboxDriver, type SandboxSpec } from '../../src/sandbox/sandbox.js';
import { BUILTIN_PROGRAMS, type FakeProgram } from './fake-programs.js';
import { FakeSandbox, type FakeFaults } from './fake-sandbox.js';

export { FakeSandbox, type CreateFault, type FakeFaults } from './fake-sandbox.js';

export interface FakeDriverOptions {
  /** false: like gVisor, a running container's limits cannot change (setLimits with new limits rejects). */
  canUpdateLimits?: boolean;
  /**
   * Bytes of stdin that may wait unread (the attach stream and the agent's buffer, as one) before writeStdin
   * waits; only the program's reads drain it. Default 64 KiB.
   */
  stdinBufferBytes?: number;
  /** How long a hung engine call lasts before it fails with `unavailable` (the real driver's engine deadline). */
  engineTimeoutMs?: number;
  /** Image labels by image name; null marks a missing image. Default: any `coderunner/<language>:latest`. */
  images?: Record<string, Record<string, string> | null>;
  /** Programs beyond the built-in ones, by argv[0]. */
  programs?: Record<string, FakeProgram>;
}

const DEFAULT_IMAGE = /^coderunner\/([a-z][a-z0-9+-]*):latest$/;

export class FakeSandboxDriver implements SandboxDriver {
  readonly faults: FakeFaults = {
    create: [],
    createDelayMs: 0,
    engineHang: false,
    agentIgnoresWallLimit: false,
    setLimitsFails: false,
    destroyFails: false,
    pingFails: false,
  };
  /** Every sandbox this driver made, in order. */
  readonly sandboxes: FakeSandbox[] = [];
  /** Every create() call's spec, in order (failed and aborted ones included). */
  readonly createCalls: SandboxSpec[] = [];
  /** Containers of other, dead servers that removeOrphans will find (and then forget). */
  orphans = 0;
  canUpdateLimits: boolean;
  readonly stdinBufferBytes: number;
  private readonly engineTimeoutMs: number;
  private readonly programs = new Map<string, FakeProgram>();
  private nextId = 1;

  constructor(private readonly options: FakeDriverOptions = {}) {
    this.canUpdateLimits = options.canUpdateLimits ?? true;
    this.stdinBufferBytes = options.stdinBufferBytes ?? 64 * 1024;
    this.engineTimeoutMs = options.engineTimeoutMs ?? 10000;
    for (const [name, program] of Object.entries(options.programs ?? {})) this.registerProgram(name, program);
  }

  /** Adds a program by argv[0]; the built-in commands cannot be replaced, so they mean the same everywhere. */
  registerProgram(name: string, program: FakeProgram): void {
    if (name in BUILTIN_PROGRAMS) throw new Error(`${name} is a built-in fake program`);
    this.programs.set(name, program);
  }

  /** Sandboxes whose containers the engine still lists (not removed). */
  get present(): FakeSandbox[] {
    return this.sandboxes.filter((s) => s.present);
  }

  /** Sandboxes whose agent is still up. */
  get alive(): FakeSandbox[] {
    return this.sandboxes.filter((s) => s.alive);
  }

  async create(spec: SandboxSpec, signal?: AbortSignal): Promise<FakeSandbox> {
    this.createCalls.push({ ...spec });
    const what = `creating a ${spec.language} container`;
    if (signal?.aborted) throw abortedError(what, signal);
    const fault = this.faults.create.shift();
    if (fault === 'hang') {
      await this.wait(this.engineTimeoutMs, what, signal);
      throw new SandboxError(
        `the engine did not answer create within ${this.engineTimeoutMs} ms`,
        'unavailable',
      );
    }
    const delay = typeof fault === 'object' ? fault.delayMs : this.faults.createDelayMs;
    if (delay > 0) await this.wait(delay, what, signal);
    else await Promise.resolve(); // an engine round trip, however short
    if (signal?.aborted) throw abortedError(what, signal);
    if (fault === 'fail' || (typeof fault === 'object' && fault.fail))
      throw new SandboxError(
        `cannot create a ${spec.language} container: the fake engine failed`,
        'unavailable',
      );
    const sandbox = new FakeSandbox(`fake-${this.nextId++}`, { ...spec }, this);
    this.sandboxes.push(sandbox);
    return sandbox;
  }

  /** A program registered by a test. */
  program(name: string): FakeProgram | undefined {
    return this.programs.get(name);
  }

  async ping(): Promise<void> {
    await Promise.resolve();
    if (this.faults.pingFails) throw new SandboxError('the fake engine does not answer', 'unavailable');
  }

  async removeOrphans(): Promise<number> {
    await Promise.resolve();
    const count = this.orphans;
    this.orphans = 0;
    return count;
  }

  async removeOwned(): Promise<number> {
    await Promise.resolve();
    const doomed = this.present;
    for (const sandbox of doomed) sandbox.removeByEngine();
    return doomed.length;
  }

  async inspectImage(image: string): Promise<Record<string, string> | null> {
    await Promise.resolve();
    if (this.options.images) return this.options.images[image] ?? null;
    const match = DEFAULT_IMAGE.exec(image);
    if (!match) return null;
    return {
      [IMAGE_LABELS.language]: match[1]!,
      [IMAGE_LABELS.version]: '1.0.0',
      [IMAGE_LABELS.hash]: 'fake',
    };
  }

  /** Waits `ms` (an engine call in progress); rejects with `cancelled` when `signal` aborts first. */
  private wait(ms: number, what: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortedError(what, signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Resolves once a released lease's teardown has run (sandbox-pools.ts afterReply, TEARDOWN_DELAY_MS later). */
export const teardownTurn = () =>
  new Promise<void>((resolve) => setTimeout(() => setImmediate(resolve), TEARDOWN_DELAY_MS));
