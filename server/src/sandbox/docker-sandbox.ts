import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { DockerStreamDemuxer } from './docker-stream.js';
import {
  encodeCloseStdin,
  encodeGo,
  encodeRunRequest,
  encodeSignal,
  encodeStdin,
  FrameDecoder,
  type AgentEvent,
  type AgentRequest,
  type AgentStage,
} from './agent-protocol.js';
import { removeContainer } from './container-removal.js';
import { abortedError, describe, engineCall } from './engine-call.js';
import {
  SandboxError,
  type ContainerLimits,
  type ExecuteOptions,
  type Execution,
  type Sandbox,
  type SandboxSpec,
} from './sandbox.js';

export { describe };

const SIGKILL = 9;

/** Where a container runtime's kernel reads the agent's limits differently from Linux. */
export interface RuntimeQuirks {
  /** CPU limits are multiplied by this before they reach the agent (gVisor's CPU clock runs fast). */
  cpuTimeFactor: number;
  /** RLIMIT_NPROC lets one process more than the limit start (gVisor counts before adding the new one). */
  processesOverCount: boolean;
}

export const NO_QUIRKS: RuntimeQuirks = { cpuTimeFactor: 1, processesOverCount: false };

/** A stage's limits as the agent must get them under a runtime with these quirks. */
export function withQuirks(stage: AgentStage, quirks: RuntimeQuirks): AgentStage {
  const { cpuTimeFactor, processesOverCount } = quirks;
  if (cpuTimeFactor === 1 && !processesOverCount) return stage;
  return {
    ...stage,
    cpuMs: Math.round(stage.cpuMs * cpuTimeFactor),
    processes: processesOverCount && stage.processes ? Math.max(1, stage.processes - 1) : stage.processes,
  };
}

/** One container driven over its attached stdin/stdout. */
export class DockerSandbox implements Sandbox {
  private readonly decoder = new FrameDecoder();
  private readonly demuxer: DockerStreamDemuxer;
  private listener: ((event: AgentEvent) => void) | null = null;
  private failure: ((err: SandboxError) => void) | null = null;
  private destroyed: Promise<void> | null = null;
  private ended = false;
  private readonly exitListeners: Array<() => void> = [];
  private current: ContainerLimits;

  constructor(
    private readonly container: Docker.Container,
    private readonly stream: Duplex,
    readonly spec: SandboxSpec,
    private readonly engineTimeoutMs: number,
    onAgentLog: (line: string) => void,
    /** How the container runtime bends the agent's limits (gVisor's, see docker-sandbox-driver.ts). */
    private readonly quirks: RuntimeQuirks = NO_QUIRKS,
  ) {
    this.current = { memoryMb: spec.memoryMb, pids: spec.pids };
    this.demuxer = new DockerStreamDemuxer(
      (chunk) => this.onFrames(chunk),
      (chunk) => onAgentLog(chunk.toString('utf8').trimEnd()),
    );
    stream.on('data', (chunk: Buffer) => this.demuxer.push(chunk));
    stream.on('error', (err) =>
      this.fail(new SandboxError(`attach stream failed: ${err.message}`, 'agent_failed')),
    );
    stream.on('close', () => {
      this.ended = true;
      this.fail(new SandboxError('the agent exited before finishing', 'agent_failed'));
      for (const listener of this.exitListeners.splice(0)) listener();
    });
  }

  get id(): string {
    return this.container.id;
  }

  get alive(): boolean {
    return !this.ended && this.destroyed === null;
  }

  async wasOomKilled(): Promise<boolean> {
    // The attach stream can close a moment before the engine records how the container ended: wait (bounded).
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const info = await engineCall('inspect', this.engineTimeoutMs, (abortSignal) =>
          this.container.inspect({ abortSignal }),
        );
        if (info.State?.OOMKilled) return true;
        if (!info.State?.Running) return false;
      } catch {
        return false;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  onExit(listener: () => void): void {
    if (this.ended) listener();
    else this.exitListeners.push(listener);
  }

  /** Waits for the agent's ready frame. */
  waitReady(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listener = null;
        this.failure = null;
        reject(new SandboxError(`the agent did not report ready within ${timeoutMs} ms`, 'agent_failed'));
      }, timeoutMs);
      this.failure = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      this.listener = (event) => {
        clearTimeout(timer);
        this.listener = null;
        this.failure = null;
        if (event.type === 'ready') resolve(event.version);
        else reject(new SandboxError(`expected a ready frame, got ${event.type}`, 'protocol'));
      };
    });
  }

  private onFrames(chunk: Buffer): void {
    let events: AgentEvent[];
    try {
      events = this.decoder.push(chunk);
    } catch (err) {
      this.fail(new SandboxError(`bad frame from the agent: ${describe(err)}`, 'protocol'));
      return;
    }
    for (const event of events) this.listener?.(event);
  }

  private fail(err: SandboxError): void {
    const failure = this.failure;
    this.failure = null;
    this.listener = null;
    failure?.(err);
  }

  async setLimits(limits: ContainerLimits, signal?: AbortSignal): Promise<void> {
    if (limits.memoryMb === this.current.memoryMb && limits.pids === this.current.pids) return;
    const bytes = limits.memoryMb * 1024 * 1024;
    await engineCall(
      'update',
      this.engineTimeoutMs,
      (abortSignal) =>
        this.container.update({ Memory: bytes, MemorySwap: bytes, PidsLimit: limits.pids, abortSignal }),
      signal ? { outer: signal } : {},
    );
    this.current = { ...limits };
  }

  execute(request: AgentRequest, options: ExecuteOptions): Execution {
    const send = (frame: Buffer): boolean => {
      if (this.ended || !this.stream.writable) return true;
      return this.stream.write(frame);
    };
    const { signal } = options;
    const finished = new Promise<void>((resolve, reject) => {
      if (this.ended) {
        reject(new SandboxError('the agent exited before the run started', 'agent_failed'));
        return;
      }
      if (signal?.aborted) {
        reject(abortedError('the run', signal));
        return;
      }
      const timer = setTimeout(() => {
        this.fail(
          new SandboxError(`no result within the server deadline of ${options.deadlineMs} ms`, 'deadline'),
        );
      }, options.deadlineMs);
      // The engine relays the attach stream: no first frame in time means it hangs, whatever the program does.
      let ackTimer: NodeJS.Timeout | null = setTimeout(() => {
        this.fail(
          new SandboxError(
            `the agent did not acknowledge the request within ${options.ackTimeoutMs} ms (engine not answering)`,
            'unavailable',
          ),
        );
      }, options.ackTimeoutMs);
      const onAbort = () => {
        send(encodeSignal(SIGKILL));
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
            (go) => send(go === false ? encodeSignal(SIGKILL) : encodeGo()),
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
    const stages = request.stages.map((s) => withQuirks(s, this.quirks));
    send(encodeRunRequest({ ...request, stages }));
    return {
      finished,
      writeStdin: (data) => {
        if (send(encodeStdin(data))) return Promise.resolve();
        return new Promise<void>((resolve) => {
          // Resolve on drain, or when the stream goes away (nothing more will be accepted anyway).
          const done = () => {
            this.stream.off('drain', done);
            this.stream.off('close', done);
            resolve();
          };
          this.stream.once('drain', done);
          this.stream.once('close', done);
        });
      },
      closeStdin: () => void send(encodeCloseStdin()),
      signal: (sig) => void send(encodeSignal(sig)),
    };
  }

  destroy(): Promise<void> {
    this.destroyed ??= (async () => {
      // A run still going fails now (its timers cleared): dropping its handlers would leave `finished` pending
      // for good, since the stream's close then finds nothing to fail.
      this.fail(new SandboxError('the container was removed while the agent ran', 'agent_failed'));
      this.stream.destroy();
      const remove = () => removeContainer(this.container, this.engineTimeoutMs);
      // A removal that times out is tried again at once, twice: a gVisor sandbox after a fork storm on a loaded
      // host can take the engine more than one removal deadline to tear down, and a pool's close (and so the
      // server's) waits for these attempts, so nothing is left behind. After that (a hung engine) the tries go on
      // in the background, bounded, so the container goes once the engine is back.
      for (let attempt = 1; ; attempt++) {
        try {
          await remove();
          return;
        } catch (err) {
          const timedOut = err instanceof SandboxError && err.reason === 'unavailable';
          if (timedOut && attempt < REMOVAL_ATTEMPTS) continue;
          if (timedOut) retryInBackground(remove);
          throw err;
        }
      }
    })();
    return this.destroyed;
  }
}

/** Removal attempts in destroy() before it gives up and leaves the rest to the background. */
const REMOVAL_ATTEMPTS = 3;

/** Retries a removal that timed out, a few times with growing delays (about two minutes in all). */
function retryInBackground(remove: () => Promise<void>, attempt = 1): void {
  if (attempt > 8) return;
  const timer = setTimeout(
    () => void remove().catch(() => retryInBackground(remove, attempt + 1)),
    Math.min(30000, 1000 * 2 ** attempt),
  );
  timer.unref();
}
