import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/config.js';
import { CodeRunnerError } from '../../errors/errors.js';
import type { RunService } from '../../runs/run-service.js';
import { sendCallback } from './callback.js';
import { executeSubmission, UnrunnableSubmission, type Judge0Outcome } from './execute.js';
import type { Judge0Limits, Submission, SubmissionParams } from './submission.js';
import type { Judge0Language } from './languages.js';
import { DEFAULT_FIELDS, serializeSubmission } from './serialize.js';

export type Judge0Config = Pick<
  Config,
  | 'RUN_MAX_TIMEOUT_MS'
  | 'RUN_MAX_MEMORY_MB'
  | 'RUN_MAX_OUTPUT_KB'
  | 'RUN_MAX_FILES'
  | 'RUN_MAX_CONCURRENT'
  | 'JUDGE0_SUBMISSION_TTL_MS'
  | 'JUDGE0_MAX_QUEUE_SIZE'
  | 'JUDGE0_CALLBACKS_ALLOW_PRIVATE'
>;

/** Judge0's config.rb defaults, capped by this server's maximums. */
export function judge0Limits(c: Judge0Config): Judge0Limits {
  return {
    cpuTimeLimit: Math.min(5, c.RUN_MAX_TIMEOUT_MS / 1000),
    maxCpuTimeLimit: Math.min(15, c.RUN_MAX_TIMEOUT_MS / 1000),
    cpuExtraTime: 1,
    maxCpuExtraTime: 5,
    wallTimeLimit: Math.min(10, c.RUN_MAX_TIMEOUT_MS / 1000),
    maxWallTimeLimit: Math.min(20, c.RUN_MAX_TIMEOUT_MS / 1000),
    memoryLimit: Math.min(128000, c.RUN_MAX_MEMORY_MB * 1024),
    maxMemoryLimit: Math.min(512000, c.RUN_MAX_MEMORY_MB * 1024),
    stackLimit: 64000,
    maxStackLimit: 128000,
    maxProcesses: 60,
    maxMaxProcesses: 120,
    maxFileSize: Math.min(1024, c.RUN_MAX_OUTPUT_KB),
    maxMaxFileSize: Math.min(4096, c.RUN_MAX_OUTPUT_KB),
    numberOfRuns: 1,
    maxNumberOfRuns: 20,
    maxExtractSize: 10240,
    maxBatchSize: 20,
    maxQueueSize: c.JUDGE0_MAX_QUEUE_SIZE,
    callbacksMaxTries: 3,
    callbacksTimeout: 5,
  };
}

/** Judge0's answer to a full queue (submissions_controller.rb#check_queue_size). */
export class QueueFull extends Error {}

/**
 * Submissions in memory for JUDGE0_SUBMISSION_TTL_MS after they finish, and the background queue of
 * wait=false submissions: at most JUDGE0_MAX_QUEUE_SIZE waiting, at most RUN_MAX_CONCURRENT handed to the run
 * service at once, so background work never overflows the run service's own queue. close() cancels it all.
 */
export class Judge0Service {
  readonly limits: Judge0Limits;
  private readonly store = new Map<string, Submission>();
  private readonly waiting: Submission[] = [];
  private active = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly runs: RunService,
    private readonly config: Judge0Config,
    private readonly log: { warn(obj: object, msg: string): void },
  ) {
    this.limits = judge0Limits(config);
    this.sweep = setInterval(() => this.expire(), Math.min(60000, config.JUDGE0_SUBMISSION_TTL_MS));
    this.sweep.unref();
  }

  /** A stored submission, if it has not expired. */
  get(token: string): Submission | undefined {
    return this.store.get(token);
  }

  /** Throws QueueFull when `count` more would pass max_queue_size. */
  checkQueue(count: number): void {
    if (this.waiting.length + count > this.limits.maxQueueSize) throw new QueueFull('queue is full');
  }

  /** Stores a new submission In Queue. */
  create(params: SubmissionParams, language: Judge0Language): Submission {
    const now = new Date();
    const s: Submission = {
      token: randomUUID(),
      params,
      language,
      statusId: 1,
      stdout: null,
      stderr: null,
      compileOutput: null,
      message: null,
      exitCode: null,
      exitSignal: null,
      time: null,
      wallTime: null,
      memory: null,
      createdAt: now,
      queuedAt: now,
      startedAt: null,
      finishedAt: null,
      updatedAt: now,
    };
    this.store.set(s.token, s);
    return s;
  }

  /** Queues a stored submission to run in the background (IsolateRunner.perform_later). */
  enqueue(s: Submission): void {
    this.waiting.push(s);
    this.pump();
  }

  /** Runs a stored submission now (wait=true); rejects with the run service's refusal (e.g. its queue full). */
  async runNow(s: Submission): Promise<void> {
    await this.track(this.run(s, true));
  }

  private pump(): void {
    while (
      this.active < this.config.RUN_MAX_CONCURRENT &&
      this.waiting.length > 0 &&
      !this.closing.signal.aborted
    ) {
      const s = this.waiting.shift()!;
      this.active++;
      void this.track(
        this.run(s, false)
          .catch(() => undefined)
          .finally(() => {
            this.active--;
            this.pump();
          }),
      );
    }
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    void p.catch(() => undefined).finally(() => this.inFlight.delete(p));
    return p;
  }

  private finish(s: Submission, outcome: Judge0Outcome): void {
    Object.assign(s, outcome);
    s.finishedAt = new Date();
    s.updatedAt = s.finishedAt;
  }

  private async run(s: Submission, rethrow: boolean): Promise<void> {
    s.statusId = 2;
    s.startedAt = new Date();
    s.updatedAt = s.startedAt;
    try {
      this.finish(
        s,
        await executeSubmission(this.runs, s, this.config, this.limits.maxExtractSize, this.closing.signal),
      );
    } catch (err) {
      const message =
        err instanceof UnrunnableSubmission || err instanceof CodeRunnerError ? err.message : String(err);
      // IsolateJob's `rescue Exception`: the submission ends as Internal Error with the message.
      this.finish(s, {
        statusId: 13,
        stdout: null,
        stderr: null,
        compileOutput: null,
        message,
        exitCode: null,
        exitSignal: null,
        time: null,
        wallTime: null,
        memory: null,
      });
      if (rethrow && err instanceof CodeRunnerError && err.statusCode !== 400) throw err;
    } finally {
      if (s.params.callbackUrl) await this.callback(s);
    }
  }

  private async callback(s: Submission): Promise<void> {
    let body: string;
    try {
      body = JSON.stringify(serializeSubmission(s, DEFAULT_FIELDS, true));
    } catch {
      return;
    }
    const result = await sendCallback(s.params.callbackUrl!, body, {
      tries: this.limits.callbacksMaxTries,
      timeoutMs: this.limits.callbacksTimeout * 1000,
      allowPrivate: this.config.JUDGE0_CALLBACKS_ALLOW_PRIVATE,
      signal: this.closing.signal,
    });
    if (result.status === null)
      this.log.warn({ token: s.token, attempts: result.attempts }, 'judge0 callback failed');
  }

  private expire(): void {
    const cutoff = Date.now() - this.config.JUDGE0_SUBMISSION_TTL_MS;
    for (const [token, s] of this.store)
      if (s.finishedAt && s.finishedAt.getTime() < cutoff) this.store.delete(token);
  }

  /** Drops queued submissions, cancels running ones and waits for them (and their callbacks) to end. */
  async close(): Promise<void> {
    clearInterval(this.sweep);
    this.closing.abort();
    for (const s of this.waiting.splice(0)) {
      this.finish(s, {
        statusId: 13,
        stdout: null,
        stderr: null,
        compileOutput: null,
        message: 'the server shut down',
        exitCode: null,
        exitSignal: null,
        time: null,
        wallTime: null,
        memory: null,
      });
    }
    await Promise.allSettled([...this.inFlight]);
  }
}
