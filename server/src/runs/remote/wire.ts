/**
 * What travels through Redis between an API process and a worker (runs/remote/): the job's data, and the
 * messages on the two pub/sub channels. JSON, with byte payloads as base64.
 *
 *   API → queue     RunJobData (a BullMQ job in the queue of a worker group that serves the language)
 *   worker → API    `<prefix>:replies:<apiId>`: WorkerMessage (started, each agent event, each test, the result)
 *   API → workers   `<prefix>:control`: ControlMessage (stdin, close stdin, signal, cancel), for whichever
 *                   worker holds the run
 */
import type { RunResponse, TestResult } from '@coderunner/protocol';
import type { AgentEvent } from '../../sandbox/agent-protocol.js';

export interface RunJobData {
  /** The run's id, also the BullMQ job id. */
  id: string;
  /** The validated request body; the worker prepares it again (its registry has the images). */
  body: unknown;
  interactive: boolean;
  keyId: string | null;
  /** Record 'running' when a worker takes it (asynchronous runs). */
  recordProgress: boolean;
  /** The API process waiting for it (its replies channel), or null when nobody waits (?wait=false). */
  replyTo: string | null;
  /** Stream every event and test result to replyTo, not only the start and the result. */
  streaming: boolean;
  /**
   * Unix ms when it was queued, to a fraction of a ms (util/wall-clock.ts): the worker counts the wait from it in
   * the run's queueMs, and answers queue timeout when it takes the run after RUN_QUEUE_TIMEOUT_MS.
   */
  queuedAt: number;
}

/** An error as the API should throw it again: the same code, status, message and headers. */
export interface WireError {
  code: string;
  statusCode: number;
  message: string;
  headers: Record<string, string>;
}

export type WireEvent =
  | Exclude<AgentEvent, { type: 'stdout' | 'stderr' | 'output-file' }>
  | { type: 'stdout' | 'stderr'; data: string }
  | { type: 'output-file'; stage: number; name: string; data: string; last: boolean };

export type WorkerMessage =
  | { id: string; kind: 'started' }
  | { id: string; kind: 'event'; event: WireEvent }
  | { id: string; kind: 'test'; index: number; result: TestResult }
  /** sentAt: the worker's wall clock (ms, fractional) as it sent the result; the API adds the hop to totalMs. */
  | { id: string; kind: 'result'; response: RunResponse; sentAt?: number }
  | { id: string; kind: 'error'; error: WireError };

export type ControlMessage =
  | { id: string; kind: 'stdin'; data: string }
  | { id: string; kind: 'close-stdin' }
  | { id: string; kind: 'signal'; signal: number }
  | { id: string; kind: 'cancel' };

export function eventToWire(event: AgentEvent): WireEvent {
  if (event.type === 'stdout' || event.type === 'stderr') {
    return { type: event.type, data: event.data.toString('base64') };
  }
  if (event.type === 'output-file') return { ...event, data: event.data.toString('base64') };
  return event as WireEvent;
}

export function eventFromWire(event: WireEvent): AgentEvent {
  if (event.type === 'stdout' || event.type === 'stderr') {
    return { type: event.type, data: Buffer.from(event.data, 'base64') };
  }
  if (event.type === 'output-file') return { ...event, data: Buffer.from(event.data, 'base64') };
  return event as AgentEvent;
}

/** The Redis keys and channels of one deployment (QUEUE_PREFIX). */
export function redisNames(prefix: string) {
  return {
    prefix,
    control: `${prefix}:control`,
    replies: (apiId: string) => `${prefix}:replies:${apiId}`,
    workers: `${prefix}:workers`,
    worker: (workerId: string) => `${prefix}:worker:${workerId}`,
    started: (runId: string) => `${prefix}:started:${runId}`,
    cancelled: (runId: string) => `${prefix}:cancelled:${runId}`,
    /** A BullMQ queue name per worker group (no ':' allowed in it). */
    queue: (group: string) => `runs-${group}`,
  };
}

export type RedisNames = ReturnType<typeof redisNames>;

/**
 * The replies channels of API processes living in this process (CODERUNNER_ROLE=all): a worker hands their
 * messages over directly instead of through Redis, in the same order, sparing the warm path a round trip.
 */
export const localReplies = new Map<string, (message: WorkerMessage) => void>();
