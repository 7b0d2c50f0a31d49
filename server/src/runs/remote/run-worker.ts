import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { CodeRunnerError, createError } from '../../errors/errors.js';
import type { Execution } from '../../sandbox/sandbox.js';
import { wallClockMs } from '../../util/wall-clock.js';
import type { KeySlots } from '../key-slots.js';
import type { PreparedRun, RunHooks, RunService } from '../run-service.js';
import {
  eventToWire,
  localReplies,
  type ControlMessage,
  type RedisNames,
  type RunJobData,
  type WorkerMessage,
} from './wire.js';

export interface RunWorkerOptions {
  /** This worker's id, as announced; in its log lines. */
  workerId: string;
  /** Connection options for BullMQ's own (blocking) connections. */
  connection: { url: string };
  /** Commands and publishes. */
  redis: Redis;
  /** A connection of its own in subscriber mode, for the control channel. */
  subscriber: Redis;
  names: RedisNames;
  queue: string;
  /** The local run service: this worker's queue slots, warm pools and run store. */
  runs: RunService;
  keySlots?: KeySlots;
  concurrency: number;
  queueTimeoutMs: number;
  lockMs: number;
  stalledIntervalMs: number;
  logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** Most stdin bytes held for a program that is not reading while its client keeps typing. */
const MAX_PENDING_STDIN = 4 * 1024 * 1024;

/** A run this worker holds: its abort, and the handle control messages go to once the program started. */
class HeldRun {
  readonly abort = new AbortController();
  execution: Execution | null = null;
  private early: ControlMessage[] = [];
  private chain: Promise<void> = Promise.resolve();
  private pendingStdin = 0;

  control(message: ControlMessage): void {
    if (message.kind === 'cancel') {
      this.abort.abort(new Error('the client went away'));
      return;
    }
    if (!this.execution) {
      this.early.push(message);
      return;
    }
    const execution = this.execution;
    if (message.kind === 'stdin') {
      const data = Buffer.from(message.data, 'base64');
      if (this.pendingStdin + data.length > MAX_PENDING_STDIN) return;
      this.pendingStdin += data.length;
      this.chain = this.chain
        .then(() => execution.writeStdin(data))
        .catch(() => undefined)
        .finally(() => (this.pendingStdin -= data.length));
    } else if (message.kind === 'close-stdin') {
      this.chain = this.chain.then(() => execution.closeStdin());
    } else {
      const signal = message.signal;
      this.chain = this.chain.then(() => execution.signal(signal));
    }
  }

  started(execution: Execution): void {
    this.execution = execution;
    for (const message of this.early.splice(0)) this.control(message);
  }
}

/**
 * The worker side of the distributed mode: takes runs from its group's BullMQ queue and runs each through the
 * local RunService (this host's pools and limits), replying on the API's channel. A run whose worker died is
 * found stalled by BullMQ and put back once: taken again, it runs if its program had not started (a marker set
 * when it does), and otherwise ends as internal_error; stalled a second time, BullMQ fails it and the worker that
 * noticed records it so. Nothing is left pending.
 */
export class RunWorker {
  private worker: Worker<RunJobData> | null = null;
  private readonly held = new Map<string, HeldRun>();

  constructor(private readonly options: RunWorkerOptions) {}

  /** Runs held right now. */
  get running(): number {
    return this.held.size;
  }

  async start(): Promise<void> {
    const o = this.options;
    o.subscriber.on('message', (_channel: string, raw: string) => {
      let message: ControlMessage;
      try {
        message = JSON.parse(raw) as ControlMessage;
      } catch {
        return;
      }
      this.held.get(message.id)?.control(message);
    });
    await o.subscriber.subscribe(o.names.control);
    this.worker = new Worker<RunJobData>(o.queue, (job) => this.process(job), {
      connection: { url: o.connection.url, maxRetriesPerRequest: null },
      prefix: o.names.prefix,
      concurrency: o.concurrency,
      lockDuration: o.lockMs,
      stalledInterval: o.stalledIntervalMs,
      maxStalledCount: 1,
      autorun: true,
    });
    this.worker.on('error', (err) => o.logger.warn({ err: err.message }, 'queue worker error'));
    // A job stalled twice (two workers died holding it) is failed by BullMQ: record it so, reply to its API.
    this.worker.on('failed', (job, err) => {
      if (job && /stalled/i.test(err.message))
        void this.lost(job.data, 'its workers stopped twice while it ran');
    });
    await this.worker.waitUntilReady();
  }

  /** Stops taking runs and waits for the ones held to finish (SIGTERM). */
  async close(): Promise<void> {
    await this.worker?.close();
    this.worker = null;
  }

  private async process(job: Job<RunJobData>): Promise<void> {
    const data = job.data;
    const o = this.options;
    const held = new HeldRun();
    this.held.set(data.id, held);
    const taken = Date.now();
    const log = { run: data.id, worker: o.workerId };
    o.logger.info({ ...log, waitedMs: taken - data.queuedAt }, 'run taken');
    let outcome = 'error';
    try {
      // A run taken for the first time cannot carry a start marker, and a cancel published before this worker
      // held it is found by the marker read that goes on beside the run (it then ends as cancelled): only a run
      // taken again after a stall waits for the markers before it starts. On the warm path every round trip
      // here is the queue's overhead.
      const retried = job.attemptsStarted > 1 || job.stalledCounter > 0;
      const markers = o.redis.mget(o.names.cancelled(data.id), o.names.started(data.id));
      let prepared: PreparedRun | null = null;
      let refused: unknown = null;
      try {
        prepared = o.runs.prepare(data.body, { interactive: data.interactive, id: data.id });
      } catch (err) {
        refused = err;
      }
      if (!retried) {
        markers.then(
          ([late]) => {
            if (late != null) held.abort.abort(new Error('the client went away'));
          },
          () => undefined,
        );
      }
      const [cancelled = null, started = null] = retried ? await markers : [];
      // Cancelled before this worker took it (its client went away while it was being taken).
      if (cancelled !== null) {
        this.reply(data, {
          id: data.id,
          kind: 'error',
          error: wire(createError('CR_ERR_RUN_CANCELLED', 'the client went away while it was queued')),
        });
        return;
      }
      // Taken again after a worker died holding it: its program had started, so running it again could be seen.
      if (started !== null) {
        await this.lost(data, 'the worker running it stopped');
        return;
      }
      if (!prepared) throw refused;
      const waited = Date.now() - data.queuedAt;
      if (waited > o.queueTimeoutMs) {
        const error = createError('CR_ERR_RUN_QUEUE_TIMEOUT', o.queueTimeoutMs, { 'Retry-After': '5' });
        o.runs.recordFailure(prepared, data.keyId, data.queuedAt, error);
        this.reply(data, { id: data.id, kind: 'error', error: wire(error) });
        return;
      }
      const hooks: RunHooks = {
        keyId: data.keyId,
        recordProgress: data.recordProgress,
        createdAt: data.queuedAt,
        signal: held.abort.signal,
        onStart: (execution) => {
          // Before any output is published on the same connection: a retry never repeats what was seen.
          void o.redis.set(o.names.started(data.id), '1', 'EX', 86400).catch(() => undefined);
          held.started(execution);
          if (data.streaming) this.reply(data, { id: data.id, kind: 'started' });
        },
      };
      if (data.streaming) {
        hooks.onEvent = (event) =>
          this.reply(data, { id: data.id, kind: 'event', event: eventToWire(event) });
        hooks.onTest = (index, result) => this.reply(data, { id: data.id, kind: 'test', index, result });
      }
      const response = await o.runs.execute(prepared, hooks);
      outcome = response.status;
      this.reply(data, { id: data.id, kind: 'result', response, sentAt: wallClockMs() });
    } catch (err) {
      const error =
        err instanceof CodeRunnerError
          ? err
          : createError('CR_ERR_SANDBOX_UNAVAILABLE', err instanceof Error ? err.message : String(err));
      this.reply(data, { id: data.id, kind: 'error', error: wire(error) });
    } finally {
      // The rest after a turn of the event loop: in one process (role all) the reply resolved the API's HTTP
      // response, which then goes out before this cleanup and BullMQ's completion of the job.
      await nextTurn();
      o.logger.info({ ...log, status: outcome, ms: Date.now() - taken }, 'run done');
      this.held.delete(data.id);
      if (data.keyId) void o.keySlots?.release(data.keyId, data.id).catch(() => undefined);
      void o.redis.del(o.names.started(data.id)).catch(() => undefined);
    }
  }

  /** Ends a run whose worker died after its program started: internal_error, recorded, told to its API. */
  private async lost(data: RunJobData, why: string): Promise<void> {
    const o = this.options;
    try {
      const prepared = o.runs.prepare(data.body, { interactive: data.interactive, id: data.id });
      const response = o.runs.recordLost(
        prepared,
        data.keyId,
        data.queuedAt,
        `the run was lost: ${why}; it is not run again, since its program had started`,
      );
      this.reply(data, { id: data.id, kind: 'result', response, sentAt: wallClockMs() });
    } catch (err) {
      o.logger.warn({ run: data.id, err: String(err) }, 'could not record a lost run');
    } finally {
      void o.redis.del(o.names.started(data.id)).catch(() => undefined);
    }
  }

  private reply(data: RunJobData, message: WorkerMessage): void {
    if (!data.replyTo) return;
    const local = localReplies.get(data.replyTo);
    if (local) {
      try {
        local(message);
      } catch (err) {
        this.options.logger.warn(
          { run: data.id, err: String(err) },
          'the API part of this process failed a reply',
        );
      }
      return;
    }
    this.options.redis.publish(data.replyTo, JSON.stringify(message)).catch((err: unknown) => {
      this.options.logger.warn({ run: data.id, err: String(err) }, 'could not reply to the API');
    });
  }
}

function wire(error: CodeRunnerError) {
  return {
    code: error.code,
    statusCode: error.statusCode,
    message: error.message,
    headers: { ...error.headers },
  };
}
