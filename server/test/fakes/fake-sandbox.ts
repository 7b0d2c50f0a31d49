/**
 * The server's half of a fake sandbox: the Sandbox contract of src/sandbox/sandbox.ts, kept the way
 * DockerSandbox keeps it (one execute, the ack timeout and the deadline, abort sends SIGKILL and rejects with
 * `cancelled`, `paused` is answered through beforeStage and never reaches onEvent, destroy is idempotent and
 * fails a run still going), over a FakeAgent instead of an attach stream. Frames travel through microtasks, in
 * order, so nothing a caller does is answered synchronously.
 */
import type { AgentEvent, AgentRequest } from '../../src/sandbox/agent-protocol.js';
import { abortedError, describe } from '../../src/sandbox/engine-call.js';
import {
  SandboxError,
  type ContainerLimits,
  type ExecuteOptions,
  type Execution,
  type Sandbox,
  type SandboxSpec,
} from '../../src/sandbox/sandbox.js';
import { FakeAgent } from './fake-agent.js';
import type { FakeProgram } from './fake-programs.js';

const SIGKILL = 9;

/** How one create() call goes: it hangs (until the engine deadline or an abort), fails, or takes a while. */
export type CreateFault = 'hang' | 'fail' | { delayMs: number; fail?: boolean };

/** Faults a test turns on and off at any time; each is read at the moment it matters. */
export interface FakeFaults {
  /** Consumed one per create() call, in order; when empty, creates succeed after `createDelayMs`. */
  create: CreateFault[];
  createDelayMs: number;
  /** The engine relays nothing to or from the agent: no frame ever answers an execute (the ack timeout fires). */
  engineHang: boolean;
  /** The agent does not enforce wall-clock limits: only the server's deadline ends a run that sleeps. */
  agentIgnoresWallLimit: boolean;
  /** setLimits (docker update) fails with `unavailable`. */
  setLimitsFails: boolean;
  /** destroy (docker rm) fails with `unavailable`; the container stays listed. */
  destroyFails: boolean;
  /** ping fails with `unavailable`. */
  pingFails: boolean;
}

/** What a sandbox needs from its driver. */
export interface FakeSandboxHost {
  readonly canUpdateLimits: boolean;
  readonly stdinBufferBytes: number;
  readonly faults: FakeFaults;
  program(name: string): FakeProgram | undefined;
}

/** One fake container; what it was asked to do is kept for tests to check. */
export class FakeSandbox implements Sandbox {
  /** Everything that crossed the fake wire, in order: server requests and agent frames. */
  readonly journal: string[] = [];
  /** Every setLimits call, no-ops included. */
  readonly setLimitsCalls: ContainerLimits[] = [];
  /** Every writeStdin chunk the server sent. */
  readonly stdinWrites: Buffer[] = [];
  /** Every signal the server sent. */
  readonly signalsSent: number[] = [];
  destroyCalls = 0;
  /** The container's current memory and pids limits. */
  limits: ContainerLimits;
  oomKilled = false;
  /** Whether the engine still lists the container (removeOwned counts these). */
  present = true;
  private agent: FakeAgent | null = null;
  private executed = false;
  private ended = false;
  private destroying: Promise<void> | null = null;
  private listener: ((event: AgentEvent) => void) | null = null;
  private failure: ((err: SandboxError) => void) | null = null;
  private readonly exitListeners: Array<() => void> = [];

  constructor(
    readonly id: string,
    readonly spec: SandboxSpec,
    private readonly host: FakeSandboxHost,
  ) {
    this.limits = { memoryMb: spec.memoryMb, pids: spec.pids };
  }

  get alive(): boolean {
    return !this.ended && this.destroying === null;
  }

  /** Whether execute was called (and accepted). */
  get used(): boolean {
    return this.executed;
  }

  wasOomKilled(): Promise<boolean> {
    return Promise.resolve(this.oomKilled);
  }

  onExit(listener: () => void): void {
    if (this.ended) listener();
    else this.exitListeners.push(listener);
  }

  async setLimits(limits: ContainerLimits, signal?: AbortSignal): Promise<void> {
    this.setLimitsCalls.push({ ...limits });
    if (limits.memoryMb === this.limits.memoryMb && limits.pids === this.limits.pids) return;
    this.journal.push(`setLimits ${limits.memoryMb}/${limits.pids}`);
    if (signal?.aborted) throw abortedError('update', signal);
    await Promise.resolve(); // one engine round trip
    if (!this.present) throw new SandboxError(`no such container ${this.id}`, 'unavailable');
    if (!this.host.canUpdateLimits)
      throw new SandboxError("this runtime cannot change a running container's limits", 'unavailable');
    if (this.host.faults.setLimitsFails)
      throw new SandboxError('the engine did not answer update within its deadline', 'unavailable');
    this.limits = { ...limits };
  }

  execute(request: AgentRequest, options: ExecuteOptions): Execution {
    const { signal } = options;
    let accepted = false;
    const finished = new Promise<void>((resolve, reject) => {
      if (!this.alive) {
        reject(new SandboxError('the agent exited before the run started', 'agent_failed'));
        return;
      }
      if (this.executed) {
        reject(new SandboxError('the agent refused the request: a second run request', 'protocol'));
        return;
      }
      if (signal?.aborted) {
        reject(abortedError('the run', signal));
        return;
      }
      accepted = true;
      const timer = setTimeout(
        () =>
          this.fail(
            new SandboxError(`no result within the server deadline of ${options.deadlineMs} ms`, 'deadline'),
          ),
        options.deadlineMs,
      );
      let ackTimer: NodeJS.Timeout | null = setTimeout(
        () =>
          this.fail(
            new SandboxError(
              `the agent did not acknowledge the request within ${options.ackTimeoutMs} ms (engine not answering)`,
              'unavailable',
            ),
          ),
        options.ackTimeoutMs,
      );
      const onAbort = () => {
        this.sendSignal(SIGKILL);
        this.fail(abortedError('the run', signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        if (ackTimer) clearTimeout(ackTimer);
        ackTimer = null;
        signal?.removeEventListener('abort', onAbort);
      };
      this.failure = (err) => {
        settle();
        reject(err);
      };
      this.listener = (event) => {
        if (ackTimer) {
          clearTimeout(ackTimer);
          ackTimer = null;
        }
        if (event.type === 'fatal') {
          this.fail(new SandboxError(`the agent refused the request: ${event.message}`, 'protocol'));
          return;
        }
        if (event.type === 'paused') {
          const before = options.beforeStage ?? (() => Promise.resolve(true));
          before(event.stage).then(
            (go) => (go === false ? this.sendSignal(SIGKILL) : this.sendGo()),
            (err: unknown) =>
              this.fail(
                err instanceof SandboxError && err.reason === 'cancelled'
                  ? err
                  : new SandboxError(`cannot prepare stage ${event.stage}: ${describe(err)}`, 'unavailable'),
              ),
          );
          return;
        }
        options.onEvent(event);
        if (event.type === 'done') {
          settle();
          this.listener = null;
          this.failure = null;
          resolve();
        }
      };
    });
    if (accepted) this.startAgent(request);
    return {
      finished,
      writeStdin: (data) => {
        this.journal.push(`stdin ${data.length}`);
        this.stdinWrites.push(Buffer.from(data));
        if (!this.agent || this.ended) return Promise.resolve();
        return this.agent.write(data);
      },
      closeStdin: () => {
        this.journal.push('stdin-close');
        if (!this.ended) this.agent?.closeStdin();
      },
      signal: (sig) => this.sendSignal(sig),
    };
  }

  destroy(): Promise<void> {
    this.destroyCalls++;
    this.destroying ??= (async () => {
      this.journal.push('destroy');
      this.agentGone(new SandboxError('the container was removed while the agent ran', 'agent_failed'), true);
      await Promise.resolve(); // one engine round trip
      if (this.host.faults.destroyFails)
        throw new SandboxError('the engine did not answer remove within its deadline', 'unavailable');
      this.present = false;
    })();
    return this.destroying;
  }

  /** Fault: the container is killed from outside (docker kill, engine restart); its agent is gone. */
  crash(): void {
    this.journal.push('crash');
    this.agentGone(new SandboxError('the agent exited before finishing', 'agent_failed'), false);
  }

  /** Fault: the engine kills the whole container for running out of memory (gVisor), and records it. */
  oomKill(): void {
    this.oomKilled = true;
    this.journal.push('oom-kill');
    this.agentGone(new SandboxError('the agent exited before finishing', 'agent_failed'), false);
  }

  /** What removeOwned does to a container that is still listed: force-removal, the agent dies with it. */
  removeByEngine(): void {
    this.present = false;
    this.agentGone(new SandboxError('the agent exited before finishing', 'agent_failed'), false);
  }

  private startAgent(request: AgentRequest): void {
    this.executed = true;
    this.journal.push('execute');
    const host = this.host;
    this.agent = new FakeAgent(request, {
      emit: (event) => {
        this.journal.push(eventEntry(event));
        queueMicrotask(() => this.listener?.(event));
      },
      // The agent exits after done (or fatal): the container stops, the attach stream closes.
      exited: () => queueMicrotask(() => this.agentGone(exitError(), false)),
      program: (name) => this.host.program(name),
      stdinBufferBytes: this.host.stdinBufferBytes,
      get ignoresWallLimit() {
        return host.faults.agentIgnoresWallLimit;
      },
      crash: (oom) => (oom ? this.oomKill() : this.crash()),
    });
    // A hung engine never hands the request to the agent: no frame will come back.
    if (!this.host.faults.engineHang) queueMicrotask(() => this.agent?.start());
  }

  private sendSignal(signal: number): void {
    this.journal.push(`signal ${signal}`);
    this.signalsSent.push(signal);
    if (!this.ended) this.agent?.signal(signal);
  }

  private sendGo(): void {
    this.journal.push('go');
    if (!this.ended) this.agent?.go();
  }

  private fail(err: SandboxError): void {
    const failure = this.failure;
    this.failure = null;
    this.listener = null;
    failure?.(err);
  }

  /**
   * The agent is gone. `immediate` (destroy): the run fails now and frames still in flight are dropped; else
   * (the process ended) frames already sent are delivered first, as they would be before a stream's close.
   */
  private agentGone(err: SandboxError, immediate: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.agent?.die();
    if (immediate) this.fail(err);
    queueMicrotask(() => {
      this.fail(err);
      for (const listener of this.exitListeners.splice(0)) listener();
    });
  }
}

function exitError(): SandboxError {
  return new SandboxError('the agent exited before finishing', 'agent_failed');
}

function eventEntry(event: AgentEvent): string {
  switch (event.type) {
    case 'stage-begin':
    case 'paused':
      return `${event.type} ${event.stage}`;
    case 'stage-exit':
      return `stage-exit ${event.exit.stage}`;
    case 'stdout':
    case 'stderr':
      return `${event.type} ${event.data.length}`;
    default:
      return event.type;
  }
}
