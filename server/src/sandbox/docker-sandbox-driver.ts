import { hostname } from 'node:os';
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
  type SandboxDriver,
  type SandboxSpec,
} from './sandbox.js';

/** Labels on every container CodeRunner creates; orphan clean-up keys on them. */
export const CONTAINER_LABELS = {
  managed: 'coderunner.managed',
  instance: 'coderunner.instance',
  owner: 'coderunner.owner',
  language: 'coderunner.language',
} as const;

export interface DockerDriverOptions {
  docker: Docker;
  /** Unique id of this server instance, written on every container it creates. */
  instanceId: string;
  /** OCI runtime: runc or runsc (gVisor). */
  runtime: string;
  cpus: number;
  workdirMb: number;
  tmpMb: number;
  readyTimeoutMs: number;
  /** Called with anything an agent writes to its stderr (diagnostics). */
  onAgentLog?: (containerId: string, line: string) => void;
}

/** The unprivileged uid (and gid) the agent runs programs as; the runtime images create it as `runner`. */
export const RUNNER_UID = 10001;

/** `host:pid` of this process, so a later server can tell whether a container's owner is still alive. */
function ownerTag(): string {
  return `${hostname()}:${process.pid}`;
}

function isOwnerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  const [host, pidText] = owner.split(':');
  if (host !== hostname()) return true; // another machine's server sharing the engine: not ours to judge
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One container driven over its attached stdin/stdout. */
class DockerSandbox implements Sandbox {
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

/** The real sandbox driver: Docker Engine API over its unix socket, via dockerode. */
export class DockerSandboxDriver implements SandboxDriver {
  private readonly docker: Docker;

  constructor(private readonly options: DockerDriverOptions) {
    this.docker = options.docker;
  }

  /** The id written on every container this driver creates. */
  get instanceId(): string {
    return this.options.instanceId;
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw new SandboxError(`the Docker engine does not answer: ${describe(err)}`, 'unavailable');
    }
  }

  async inspectImage(image: string): Promise<Record<string, string> | null> {
    try {
      const info = await this.docker.getImage(image).inspect();
      return info.Config?.Labels ?? {};
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw new SandboxError(`cannot inspect image ${image}: ${describe(err)}`, 'unavailable');
    }
  }

  async create(spec: SandboxSpec): Promise<Sandbox> {
    const o = this.options;
    const memoryBytes = spec.memoryMb * 1024 * 1024;
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        Image: spec.image,
        Hostname: 'sandbox',
        User: '0:0',
        Tty: false,
        OpenStdin: true,
        StdinOnce: false,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        NetworkDisabled: true,
        Env: [],
        Labels: {
          [CONTAINER_LABELS.managed]: 'true',
          [CONTAINER_LABELS.instance]: o.instanceId,
          [CONTAINER_LABELS.owner]: ownerTag(),
          [CONTAINER_LABELS.language]: spec.language,
        },
        HostConfig: {
          NetworkMode: 'none',
          Runtime: o.runtime,
          Memory: memoryBytes,
          MemorySwap: memoryBytes,
          PidsLimit: spec.pids,
          NanoCpus: Math.round(o.cpus * 1e9),
          ReadonlyRootfs: true,
          Tmpfs: {
            // The runner uid owns /work (a mode alone is overridden by the image's folder on copy-up).
            '/work': `rw,exec,nosuid,nodev,size=${o.workdirMb}m,mode=0755,uid=${RUNNER_UID},gid=${RUNNER_UID}`,
            '/tmp': `rw,exec,nosuid,nodev,size=${o.tmpMb}m,mode=1777`,
          },
          CapDrop: ['ALL'],
          // The agent (root, PID 1) needs these to drop to the runner uid and to kill its processes.
          CapAdd: ['SETUID', 'SETGID', 'KILL'],
          SecurityOpt: ['no-new-privileges'],
          IpcMode: 'private',
          Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1024 }],
          // Output goes over the attach stream only; a log driver would write every byte to disk.
          LogConfig: { Type: 'none', Config: {} },
          AutoRemove: false,
        },
      });
    } catch (err) {
      throw new SandboxError(`cannot create a ${spec.language} container: ${describe(err)}`, 'unavailable');
    }
    let sandbox: DockerSandbox | null = null;
    try {
      // Attach before start, or the agent's ready frame could be lost.
      const stream = (await container.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      })) as unknown as Duplex;
      sandbox = new DockerSandbox(container, stream, spec, (line) => o.onAgentLog?.(container.id, line));
      const ready = sandbox.waitReady(o.readyTimeoutMs);
      ready.catch(() => undefined); // observed below; avoid an unhandled rejection if start throws first
      await container.start();
      await ready;
      return sandbox;
    } catch (err) {
      if (sandbox) await sandbox.destroy().catch(() => undefined);
      else await container.remove({ force: true }).catch(() => undefined);
      if (err instanceof SandboxError) throw err;
      throw new SandboxError(`cannot start a ${spec.language} container: ${describe(err)}`, 'unavailable');
    }
  }

  private async removeWhere(keep: (labels: Record<string, string>) => boolean): Promise<number> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`${CONTAINER_LABELS.managed}=true`] },
    });
    const doomed = containers.filter((c) => !keep(c.Labels ?? {}));
    await Promise.all(
      doomed.map((c) =>
        this.docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined),
      ),
    );
    return doomed.length;
  }

  removeOrphans(): Promise<number> {
    return this.removeWhere(
      (labels) =>
        labels[CONTAINER_LABELS.instance] === this.options.instanceId ||
        isOwnerAlive(labels[CONTAINER_LABELS.owner]),
    );
  }

  removeOwned(): Promise<number> {
    return this.removeWhere((labels) => labels[CONTAINER_LABELS.instance] !== this.options.instanceId);
  }
}
