import type { AgentEvent, AgentPrestart, AgentRequest } from './agent-protocol.js';

/** The container-level limits of one stage: the agent cannot set these, the engine can. */
export interface ContainerLimits {
  memoryMb: number;
  pids: number;
}

/** What a pool asks the driver for: one container of a runtime image with its resource limits. */
export interface SandboxSpec extends ContainerLimits {
  language: string;
  image: string;
  /** The process the agent starts before the request, ready to take the first stage (runtime.json prestart). */
  prestart?: AgentPrestart;
}

/**
 * A system fault in the sandbox (engine gone or hung, agent crashed, deadline passed), or the caller giving up
 * (`cancelled`): never the program's fault.
 */
export class SandboxError extends Error {
  constructor(
    message: string,
    readonly reason: 'unavailable' | 'agent_failed' | 'deadline' | 'protocol' | 'cancelled',
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** A run in progress inside a sandbox. */
export interface Execution {
  /** Settles when the agent sends `done`; rejects with SandboxError on any fault, at the deadline or on abort. */
  readonly finished: Promise<void>;
  /**
   * Sends bytes to the program's stdin. Resolves once they are accepted without growing the outgoing buffer past
   * its high-water mark (backpressure: await it before sending more).
   */
  writeStdin(data: Buffer): Promise<void>;
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
  /**
   * The agent's first frame must arrive within this many ms of the request, or the exchange fails with
   * SandboxError('unavailable'): the engine relays the attach stream, so silence means a hung engine.
   */
  ackTimeoutMs: number;
  /**
   * Called when the agent pauses before a stage (P frame); the stage starts once it resolves, unless it resolves
   * to false: then the agent gets a kill, skips that stage and the rest, and reports done.
   */
  beforeStage?: (stage: number) => Promise<boolean | void>;
  /** Aborting kills the program and rejects `finished` with SandboxError('cancelled'). */
  signal?: AbortSignal;
}

/** One ready container whose agent has said hello. Used once, then destroyed. */
export interface Sandbox {
  readonly id: string;
  readonly spec: SandboxSpec;
  /** Changes the container's memory (memory = memory+swap) and process limits; a no-op when they are current. */
  setLimits(limits: ContainerLimits, signal?: AbortSignal): Promise<void>;
  /** Sends the run request; only one per sandbox. */
  execute(request: AgentRequest, options: ExecuteOptions): Execution;
  /** False once the container's agent is gone (killed from outside, engine restarted, removed). */
  readonly alive: boolean;
  /** Whether the engine killed the container for running out of memory (gVisor kills the whole sandbox). */
  wasOomKilled(): Promise<boolean>;
  /** Calls `listener` once when the agent goes away, whatever the reason. */
  onExit(listener: () => void): void;
  /** Force-removes the container. Safe to call more than once; bounded by the engine deadline. */
  destroy(): Promise<void>;
}

/** Creates sandboxes and manages the containers behind them. DockerSandboxDriver is the real one. */
export interface SandboxDriver {
  /** Whether a running container's memory and pids limits can be changed (`docker update`; not under gVisor). */
  readonly canUpdateLimits: boolean;
  /**
   * Creates, attaches to and starts a container; resolves once its agent is ready. Rejects with
   * SandboxError('unavailable') when the engine fails or hangs past its deadline, ('cancelled') on abort; a
   * container half made is removed either way.
   */
  create(spec: SandboxSpec, signal?: AbortSignal): Promise<Sandbox>;
  /** Resolves when the engine answers; rejects with SandboxError('unavailable') when it does not in time. */
  ping(): Promise<void>;
  /** Removes managed containers whose owning server process is gone. Returns how many. */
  removeOrphans(): Promise<number>;
  /** Removes every container this driver instance created that is still there. Returns how many. */
  removeOwned(): Promise<number>;
  /** Image labels of a runtime image, or null when the image is missing. */
  inspectImage(image: string): Promise<Record<string, string> | null>;
}
