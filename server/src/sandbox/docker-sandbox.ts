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
} from './agent-protocol.js';
import {
  SandboxError,
  type ExecuteOptions,
  type Execution,
  type Sandbox,
  type SandboxSpec,
} from './sandbox.js';

/** The message of an unknown thrown value. */
export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
  private current: { memoryMb: number; pids: number };

  constructor(
    private readonly container: Docker.Container,
    private readonly stream: Duplex,
    readonly spec: SandboxSpec,
    onAgentLog: (line: string) => void,
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
        const info = await this.container.inspect();
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

  async setLimits(limits: { memoryMb: number; pids: number }): Promise<void> {
    if (limits.memoryMb === this.current.memoryMb && limits.pids === this.current.pids) return;
    const bytes = limits.memoryMb * 1024 * 1024;
    await this.container.update({ Memory: bytes, MemorySwap: bytes, PidsLimit: limits.pids });
    this.current = { ...limits };
  }

  execute(request: AgentRequest, options: ExecuteOptions): Execution {
    const send = (frame: Buffer) => {
      if (!this.ended && this.stream.writable) this.stream.write(frame);
    };
    const finished = new Promise<void>((resolve, reject) => {
      if (this.ended) {
        reject(new SandboxError('the agent exited before the run started', 'agent_failed'));
        return;
      }
      const timer = setTimeout(() => {
        this.fail(
          new SandboxError(`no result within the server deadline of ${options.deadlineMs} ms`, 'deadline'),
        );
      }, options.deadlineMs);
      this.failure = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      this.listener = (event) => {
        if (event.type === 'fatal') {
          this.fail(new SandboxError(`the agent refused the request: ${event.message}`, 'protocol'));
          return;
        }
        if (event.type === 'paused') {
          const before = options.beforeStage ?? (() => Promise.resolve());
          before(event.stage).then(
            () => send(encodeGo()),
            (err: unknown) =>
              this.fail(
                new SandboxError(`cannot prepare stage ${event.stage}: ${describe(err)}`, 'unavailable'),
              ),
          );
          return;
        }
        options.onEvent(event);
        if (event.type === 'done') {
          clearTimeout(timer);
          this.listener = null;
          this.failure = null;
          resolve();
        }
      };
    });
    send(encodeRunRequest(request));
    return {
      finished,
      writeStdin: (data) => send(encodeStdin(data)),
      closeStdin: () => send(encodeCloseStdin()),
      signal: (signal) => send(encodeSignal(signal)),
    };
  }

  destroy(): Promise<void> {
    this.destroyed ??= (async () => {
      this.listener = null;
      this.failure = null;
      this.stream.destroy();
      try {
        await this.container.remove({ force: true, v: true });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      }
    })();
    return this.destroyed;
  }
}
