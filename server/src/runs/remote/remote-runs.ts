import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunResponse } from '@coderunner/protocol';
import { CodeRunnerError, createError, ERRORS, type ErrorCode } from '../../errors/errors.js';
import type { Execution } from '../../sandbox/sandbox.js';
import type { PreparedRun, RunHooks } from '../run-service.js';
import { wallClockMs } from '../../util/wall-clock.js';
import type { LiveWorkers } from './workers.js';
import {
  eventFromWire,
  localReplies,
  type ControlMessage,
  type RedisNames,
  type RunJobData,
  type WorkerMessage,
} from './wire.js';

export interface RemoteRunsOptions {
  /** Commands and publishes; Queues share it. */
  redis: Redis;
  /** A connection of its own in subscriber mode, for this process's replies channel. */
  subscriber: Redis;
  names: RedisNames;
  live: LiveWorkers;
  /** This API process's id: workers publish its runs' replies on its channel. */
  apiId: string;
  /** Runs waiting in one group's queue before new ones get 429. */
  maxQueued: number;
  /** A run still waiting this long is taken out of the queue with 503. */
  queueTimeoutMs: number;
  logger: { warn(obj: object, msg: string): void };
}

/** How old a queue's waiting count may be before a run reads it again. */
const WAITING_FRESH_MS = 250;

interface Pending {
  hooks: RunHooks;
  taken: boolean;
  /** Settles with the run (a streaming client's handle's `finished`). */
  done: Promise<void>;
  settle: (outcome: { response: RunResponse } | { error: Error }) => void;
}

/**
 * The API side of the distributed mode: a run goes into the BullMQ queue of a worker group that serves its
 * language, and everything the worker says of it (start, output events, test results, the result) comes back
 * on this process's replies channel. The handle a streaming client gets forwards stdin and signals to
 * whichever worker holds the run, through the control channel.
 */
export class RemoteRuns {
  private readonly queues = new Map<string, Queue>();
  private readonly pending = new Map<string, Pending>();
  /** Errors that are a worker's answer (it recorded the run), not this process's. */
  private readonly fromWorkers = new WeakSet<object>();
  private waiting = 0;
  /** The last waiting count read per queue, when, and how many runs this process added since. */
  private readonly counts = new Map<string, { count: number; at: number; addedSince: number }>();
  private counter: NodeJS.Timeout | null = null;

  constructor(private readonly options: RemoteRunsOptions) {}

  async start(): Promise<void> {
    const { subscriber, names, apiId } = this.options;
    subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
    await subscriber.subscribe(names.replies(apiId));
    localReplies.set(names.replies(apiId), (message) => this.handle(message));
    this.counter = setInterval(() => void this.countAll(), 2000);
    this.counter.unref();
  }

  async close(): Promise<void> {
    localReplies.delete(this.options.names.replies(this.options.apiId));
    if (this.counter) clearInterval(this.counter);
    for (const [, entry] of this.pending) {
      entry.settle({ error: createError('CR_ERR_SERVER_SHUTTING_DOWN', [], { 'Retry-After': '5' }) });
    }
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  endedOnWorker(err: unknown): boolean {
    return typeof err === 'object' && err !== null && this.fromWorkers.has(err);
  }

  /** Runs waiting in every live group's queue (last counted) and running on every live worker. */
  stats(): { running: number; queued: number } {
    const running = this.options.live.live().reduce((sum, w) => sum + w.running, 0);
    return { running, queued: this.waiting };
  }

  /** Queues the run and resolves with its result, as the worker's RunService gave it. */
  async run(prepared: PreparedRun, hooks: RunHooks, deadlineMs: number): Promise<RunResponse> {
    const { names, apiId, maxQueued } = this.options;
    const language = prepared.runtime.language;
    const queueName = this.options.live.queueFor(language);
    if (!queueName) throw createError('CR_ERR_RUN_NO_WORKER', language, { 'Retry-After': '5' });
    const queue = this.queueOf(queueName);
    // The waiting count is read again only when the last one is older than a moment, or near the bound, and
    // then in the same round trip as the add (both pipelined on one connection; the count may take this run in
    // already, which makes the bound one run stricter at worst): a round trip of its own before the add would be
    // much of what the queue adds to the warm path.
    const estimate = this.estimateWaiting(queue);
    if (estimate !== null && estimate >= maxQueued) {
      throw createError('CR_ERR_RUN_QUEUE_FULL', estimate, { 'Retry-After': '1' });
    }
    const counted = estimate === null ? this.countWaiting(queue) : Promise.resolve(estimate);
    const id = prepared.id;
    const data: RunJobData = {
      id,
      body: prepared.validated.body,
      interactive: prepared.agentRequest.closeStdin === false,
      keyId: hooks.keyId ?? null,
      recordProgress: hooks.recordProgress === true,
      replyTo: names.replies(apiId),
      streaming: Boolean(hooks.onEvent ?? hooks.onTest ?? hooks.onStart),
      queuedAt: wallClockMs(),
    };
    return new Promise<RunResponse>((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const onAbort = () => void this.cancel(queue, id, entry);
      let ended = () => {};
      const entry: Pending = {
        hooks,
        taken: false,
        done: new Promise<void>((r) => (ended = r)),
        settle: (outcome) => {
          if (this.pending.get(id) !== entry) return;
          this.pending.delete(id);
          ended();
          for (const t of timers) clearTimeout(t);
          hooks.signal?.removeEventListener('abort', onAbort);
          if ('response' in outcome) resolve(outcome.response);
          else reject(outcome.error);
        },
      };
      this.pending.set(id, entry);
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      // Still waiting after the queue timeout: taken out, 503 (a worker that takes it late answers the same).
      timers.push(
        setTimeout(() => {
          if (entry.taken) return;
          void queue.remove(id).then((removed) => {
            if (removed === 1) {
              entry.settle({
                error: createError('CR_ERR_RUN_QUEUE_TIMEOUT', this.options.queueTimeoutMs, {
                  'Retry-After': '5',
                }),
              });
            }
          });
        }, this.options.queueTimeoutMs),
      );
      // The worker keeps the run's own deadline; this one only covers a worker that vanished with it.
      timers.push(
        setTimeout(
          () =>
            entry.settle({
              error: createError('CR_ERR_SANDBOX_UNAVAILABLE', `no worker answered within ${deadlineMs} ms`, {
                'Retry-After': '5',
              }),
            }),
          deadlineMs,
        ),
      );
      const added = queue.add('run', data, {
        jobId: id,
        removeOnComplete: true,
        removeOnFail: { age: 3600, count: 1000 },
      });
      Promise.all([counted, added])
        .then(async ([waiting]) => {
          // Over the bound: taken out again with 429, unless a worker took it meanwhile (then it runs).
          if (waiting >= maxQueued && (await queue.remove(id)) === 1) {
            entry.settle({
              error: createError('CR_ERR_RUN_QUEUE_FULL', waiting, { 'Retry-After': '1' }),
            });
            return;
          }
          hooks.onQueued?.();
        })
        .catch((err: unknown) => {
          void added.then(() => queue.remove(id)).catch(() => undefined);
          entry.settle({
            error: createError('CR_ERR_QUEUE_UNAVAILABLE', String(err), { 'Retry-After': '5' }),
          });
        });
      if (hooks.signal?.aborted) onAbort();
    });
  }

  /** The client went away: dropped from the queue if still there, else the worker holding it kills it. */
  private async cancel(queue: Queue, id: string, entry: Pending): Promise<void> {
    const { redis, names } = this.options;
    const cancelled = () =>
      entry.settle({ error: createError('CR_ERR_RUN_CANCELLED', 'the client went away') });
    try {
      await redis.set(names.cancelled(id), '1', 'EX', 3600);
      await this.control({ id, kind: 'cancel' });
      if ((await queue.remove(id)) === 1) cancelled();
    } catch (err) {
      this.options.logger.warn({ run: id, err: String(err) }, 'could not cancel a queued run');
    }
    // The worker answers with its own cancelled error; this only covers one that never does.
    setTimeout(cancelled, 10000).unref();
  }

  private control(message: ControlMessage): Promise<number> {
    return this.options.redis.publish(this.options.names.control, JSON.stringify(message));
  }

  private onMessage(raw: string): void {
    let message: WorkerMessage;
    try {
      message = JSON.parse(raw) as WorkerMessage;
    } catch {
      return;
    }
    this.handle(message);
  }

  private handle(message: WorkerMessage): void {
    const entry = this.pending.get(message.id);
    if (!entry) return;
    const { hooks } = entry;
    switch (message.kind) {
      case 'started':
        entry.taken = true;
        hooks.onStart?.(this.handleFor(message.id, entry.done));
        break;
      case 'event':
        entry.taken = true;
        hooks.onEvent?.(eventFromWire(message.event));
        break;
      case 'test':
        hooks.onTest?.(message.index, message.result);
        break;
      case 'result': {
        // totalMs as this process sees it: from the queueing here to the result here, the reply's hop included.
        const { response, sentAt } = message;
        if (sentAt !== undefined) {
          const hop = Math.max(0, wallClockMs() - sentAt);
          response.timings.totalMs = Math.round((response.timings.totalMs + hop) * 10) / 10;
        }
        entry.settle({ response });
        break;
      }
      case 'error': {
        const { code, message: text, headers } = message.error;
        const known = Object.hasOwn(ERRORS, code);
        const error = known
          ? new CodeRunnerError(code as ErrorCode, text, headers)
          : createError('CR_ERR_SANDBOX_UNAVAILABLE', text);
        this.fromWorkers.add(error);
        entry.settle({ error });
        break;
      }
    }
  }

  /** The streaming client's handle: stdin and signals go to the worker through the control channel. */
  private handleFor(id: string, done: Promise<void>): Execution {
    const send = (message: ControlMessage) =>
      this.control(message).catch((err: unknown) =>
        this.options.logger.warn({ run: id, err: String(err) }, 'could not forward to the worker'),
      );
    return {
      finished: done,
      writeStdin: async (data) => {
        await send({ id, kind: 'stdin', data: data.toString('base64') });
      },
      closeStdin: () => void send({ id, kind: 'close-stdin' }),
      signal: (signal) => void send({ id, kind: 'signal', signal }),
    };
  }

  /**
   * Runs waiting in `queue` as this process knows them: the last count read from Redis (at most WAITING_FRESH_MS
   * old) plus the runs it added since; null when that is stale or near the bound, so that the 429 is never given
   * or withheld on an old number (the caller then counts afresh with countWaiting).
   */
  private estimateWaiting(queue: Queue): number | null {
    const known = this.counts.get(queue.name);
    if (!known || Date.now() - known.at > WAITING_FRESH_MS) return null;
    const estimate = known.count + known.addedSince;
    if (estimate >= this.options.maxQueued - 1) return null;
    known.addedSince++;
    return estimate;
  }

  /** Counts the runs waiting in `queue` in Redis and remembers the count, this run added to it. */
  private async countWaiting(queue: Queue): Promise<number> {
    let count: number;
    try {
      count = await queue.getWaitingCount();
    } catch (err) {
      throw createError('CR_ERR_QUEUE_UNAVAILABLE', String(err), { 'Retry-After': '5' });
    }
    this.counts.set(queue.name, { count, at: Date.now(), addedSince: 1 });
    return count;
  }

  private queueOf(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.options.redis, prefix: this.options.names.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  private async countAll(): Promise<void> {
    try {
      const names = this.options.live.queues();
      const counts = await Promise.all(names.map((n) => this.queueOf(n).getWaitingCount()));
      this.waiting = counts.reduce((a, b) => a + b, 0);
    } catch {
      // Counted again at the next tick; /healthz reports Redis itself.
    }
  }
}
