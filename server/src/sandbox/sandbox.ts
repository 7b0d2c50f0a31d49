import type { AgentEvent, AgentRequest } from './agent-protocol.js';

/** What a pool asks the driver for: one container of a runtime image with its resource limits. */
export interface SandboxSpec {
  language: string;
  image: string;
  memoryMb: number;
  pids: number;
}

/** A system fault in the sandbox (daemon gone, agent crashed, deadline passed): never the program's fault. */
export class SandboxError extends Error {
  constructor(
    message: string,
    readonly reason: 'unavailable' | 'agent_failed' | 'deadline' | 'protocol',
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** A run in progress inside a sandbox. */
export interface Execution {
  /** Settles when the agent sends `done`; rejects with SandboxError on any fault or at the deadline. */
  readonly finished: Promise<void>;
  /** Sends bytes to the program's stdin. */
  writeStdin(data: Buffer): void;
  /** Closes the program's stdin. */
  closeStdin(): void;
  /** Sends a signal to the running stage. */
  signal(signal: number): void;
}

export interface ExecuteOptions {
  /** Called for every event the agent sends, in order. */
  onEvent: (event: AgentEvent) => void;
  /** The server's own deadline for the whole exchange, in ms; the agent is not trusted to keep time. */
  deadlineMs: number;
  /** Called when the agent pauses before a stage (P frame); the stage starts once it resolves. */
  beforeStage?: (stage: number) => Promise<void>;
}

/** One ready container whose agent has said hello. Used once, then destroyed. */
export interface Sandbox {
  readonly id: string;
  readonly spec: SandboxSpec;
  /** Changes the container's memory (memory = memory+swap) and process limits; a no-op when they are current. */
  setLimits(limits: { memoryMb: number; pids: number }): Promise<void>;
  /** Sends the run request; only one per sandbox. */
  execute(request: AgentRequest, options: ExecuteOptions): Execution;
  /** False once the container's agent is gone (killed from outside, engine restarted, removed). */
  readonly alive: boolean;
  /** Whether the engine killed the container for running out of memory (gVisor kills the whole sandbox). */
  wasOomKilled(): Promise<boolean>;
  /** Calls `listener` once when the agent goes away, whatever the reason. */
  onExit(listener: () => void): void;
  /** Force-removes the container. Safe to call more than once. */
  destroy(): Promise<void>;
}

/** Creates sandboxes and manages the containers behind them. DockerSandboxDriver is the real one. */
export interface SandboxDriver {
  /** Whether a running container's memory and pids limits can be changed (`docker update`; not under gVisor). */
  readonly canUpdateLimits: boolean;
  /** Creates, attaches to and starts a container; resolves once its agent is ready. */
  create(spec: SandboxSpec): Promise<Sandbox>;
  /** Resolves when the engine answers; rejects with SandboxError('unavailable') when it does not. */
  ping(): Promise<void>;
  /** Removes managed containers whose owning server process is gone. Returns how many. */
  removeOrphans(): Promise<number>;
  /** Removes every container this driver instance created that is still there. Returns how many. */
  removeOwned(): Promise<number>;
  /** Image labels of a runtime image, or null when the image is missing. */
  inspectImage(image: string): Promise<Record<string, string> | null>;
}
