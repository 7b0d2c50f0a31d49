import { setImmediate as nextTurn } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { RunRequest, RunResponse, TestResult } from '@coderunner/protocol';
import type { Config } from '../config/config.js';
import { CodeRunnerError, createError } from '../errors/errors.js';
import type { AgentEvent, AgentRequest, StageExit } from '../sandbox/agent-protocol.js';
import type { SandboxLease } from '../sandbox/sandbox-lease.js';
import type { SandboxPools } from '../sandbox/sandbox-pools.js';
import { SandboxError, type Execution } from '../sandbox/sandbox.js';
import { acceptsExtraArgs, EXTRA_ARGS } from '../runtimes/runtime-manifest.js';
import type { Runtime, RuntimeRegistry } from '../runtimes/runtime-registry.js';
import { BoundedQueue, QueueFullError } from '../util/bounded-queue.js';
import { timeoutSignal } from '../util/timeout-signal.js';
import { RunLifecycle, type RunState } from './run-lifecycle.js';
import { buildAgentRequest, containerLimitsOf, resolveLimits, type ResolvedLimits } from './run-plan.js';
import { RunCollector, runStatus } from './run-result.js';
import type { RunObserver } from '../observability/metrics.js';
import type { RunRecord, RunStore } from '../store/run-store.js';
import { runView, type RunView } from '../store/run-view.js';
import type { KeySlots } from './key-slots.js';
import { applyChecker, planChecker } from './checker.js';
import { passed, testResult, testResults } from './test-results.js';
import { createRunRequestSchema, validateRunRequest, type ValidatedRun } from './run-request.js';
import { wallClockMs } from '../util/wall-clock.js';

export type { RunResponse };

/** A request that passed validation, with its runtime, limits and agent request ready. Never changed after. */
export interface PreparedRun {
  /** The run's id: its result's, and its record's in the run store. */
  readonly id: string;
  readonly runtime: Runtime;
  readonly validated: ValidatedRun;
  readonly limits: ResolvedLimits;
  readonly agentRequest: Readonly<AgentRequest>;
}

export interface PrepareOptions {
  /** Keep the program's stdin open after the request's stdin, for typed input (WebSocket runs). */
  interactive?: boolean;
  /** The run's id when it has one already (a worker preparing a queued run again); a new UUID otherwise. */
  id?: string;
}

export interface RunHooks {
  /** Short hash of the caller's API key, kept with the run's record (null on an open server). */
  keyId?: string | null;
  /** Record the run as running when it leaves the queue (asynchronous runs, whose callers poll). */
  recordProgress?: boolean;
  /** When the run was admitted, if before this process saw it (a queued run a worker takes). */
  createdAt?: number;
  /** Called once the run is queued where it will survive this process (BullMQ), or at once in the embedded mode. */
  onQueued?: () => void;
  /** Every agent event as it arrives, output already clipped to the run's cap (streaming clients). */
  onEvent?: (event: AgentEvent) => void;
  /** With test cases: each test's result as soon as its stage ends (streaming clients). */
  onTest?: (index: number, result: TestResult) => void;
  /** Called once the program has been sent, with the handle for stdin and signals. */
  onStart?: (execution: Execution) => void;
  /** Abort when the client has gone: a queued run is dropped, a running one killed and its container freed. */
  signal?: AbortSignal;
}

export type RunServiceConfig = Pick<
  Config,
  | 'RUN_MAX_CONCURRENT'
  | 'RUN_MAX_QUEUED'
  | 'RUN_QUEUE_TIMEOUT_MS'
  | 'RUN_ACQUIRE_TIMEOUT_MS'
  | 'SANDBOX_ENGINE_TIMEOUT_MS'
  | 'RUN_MAX_PER_KEY'
> &
  Parameters<typeof createRunRequestSchema>[0] &
  Parameters<typeof buildAgentRequest>[0];

export interface RunServiceDeps {
  config: RunServiceConfig;
  /** With `missing`, a language it cannot resolve may have a better error than unknown (no live worker). */
  registry: Pick<RuntimeRegistry, 'resolve'> & { missing?(name: string): CodeRunnerError | null };
  pools: Pick<SandboxPools, 'acquire'>;
  logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** Told of every run's end (metrics). */
  observer?: RunObserver;
  /** Where every run is recorded (GET /api/v1/runs/{id}, asynchronous runs). */
  store?: RunStore;
  /**
   * Run store writes after the reply is on its way (record): only where this process alone reads its store (the
   * embedded mode), never on a worker.
   */
  recordAfterReply?: boolean;
  /** With it, runs execute on workers through a queue (runs/remote/); without, on this process's pools. */
  remote?: RemoteDispatch;
  /** The per-API-key cap on runs queued or running (RUN_MAX_PER_KEY). */
  keySlots?: KeySlots;
  /** Delivers an ended run's record to its callbackUrl (signed, retried; runs/webhooks.ts). */
  webhooks?: { deliver(url: string, payload: RunView): void; check(url: string): void };
}

/** Where runs execute in the distributed mode: runs/remote/remote-runs.ts. */
export interface RemoteDispatch {
  run(prepared: PreparedRun, hooks: RunHooks, deadlineMs: number): Promise<RunResponse>;
  stats(): { running: number; queued: number };
  /** Whether an error `run` threw was the worker's own answer, which the worker has recorded already. */
  endedOnWorker(err: unknown): boolean;
}

/** Extra time the server grants beyond the stages' own limits before it gives up on an agent. */
const DEADLINE_GRACE_MS = 3000;

/** Why a run could not produce a result: the error for its caller and the terminal state it ends in. */
class RunEnded extends Error {
  constructor(
    readonly state: Extract<RunState, 'failed' | 'cancelled'>,
    readonly error: CodeRunnerError,
  ) {
    super(error.message);
  }
}

/**
 * Orchestrates a run through its states (run-lifecycle.ts): queued (bounded queue) → acquiring (a sandbox lease
 * from the pools, with the limit policy applied there) → running (the agent exchange) → finished, or failed /
 * cancelled. One deadline and one AbortSignal per run cover every wait; the lease is released in `finally`.
 */
export class RunService {
  private readonly schema;
  private readonly queue: BoundedQueue;
  /** What the program printed in each checker-judged test, kept for withChecker (never in the reply). */
  private readonly actualOutputs = new WeakMap<RunResponse, Map<number, string>>();
  private shuttingDown = false;
  private readonly live = new Set<RunLifecycle>();
  /** The run store write deferred last (record, recordAfterReply): lookups wait for it. */
  private lastDeferredWrite: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RunServiceDeps) {
    this.schema = createRunRequestSchema(deps.config);
    this.queue = new BoundedQueue(deps.config.RUN_MAX_CONCURRENT, deps.config.RUN_MAX_QUEUED);
  }

  /** Runs admitted and not yet in a terminal state. */
  get inFlight(): number {
    return this.live.size;
  }

  /** Queue numbers for /healthz. */
  queueStats(): { running: number; queued: number } {
    if (this.deps.remote) return this.deps.remote.stats();
    return { running: this.queue.running, queued: this.queue.queued };
  }

  /** How many live runs are in each state. */
  stateCounts(): Partial<Record<RunState, number>> {
    const counts: Partial<Record<RunState, number>> = {};
    for (const life of this.live) counts[life.state] = (counts[life.state] ?? 0) + 1;
    return counts;
  }

  /** Refuses new runs from now on (SIGTERM); runs already admitted finish. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  /** Validates a raw body and plans the run; throws a 4xx CodeRunnerError naming the problem. */
  prepare(body: unknown, options: PrepareOptions = {}): PreparedRun {
    const validated = validateRunRequest(body, this.schema);
    const callbackUrl = validated.body.callbackUrl;
    if (callbackUrl !== undefined) {
      // Without WEBHOOK_SECRET there is no sender; a refused URL is a 400 naming why (runs/webhooks.ts).
      if (!this.deps.webhooks) throw createError('CR_ERR_RUN_WEBHOOKS_DISABLED');
      this.deps.webhooks.check(callbackUrl);
    }
    const runtime = this.deps.registry.resolve(validated.body.language);
    if (!runtime) {
      throw (
        this.deps.registry.missing?.(validated.body.language) ??
        createError('CR_ERR_RUN_UNKNOWN_LANGUAGE', validated.body.language)
      );
    }
    const wanted = validated.body.version;
    if (wanted && wanted !== '*' && wanted !== runtime.version && !runtime.version.startsWith(`${wanted}.`)) {
      throw createError('CR_ERR_RUN_UNKNOWN_VERSION', [wanted, runtime.language, runtime.version]);
    }
    for (const which of EXTRA_ARGS) {
      if ((validated.body[which]?.length ?? 0) > 0 && !acceptsExtraArgs(runtime, which)) {
        throw createError('CR_ERR_RUN_EXTRA_ARGS_UNSUPPORTED', [which, runtime.language]);
      }
    }
    this.checkChecker(validated.body);
    const limits = resolveLimits(this.deps.config, runtime, validated);
    const agentRequest = buildAgentRequest(this.deps.config, runtime, validated, limits, options);
    return { id: options.id ?? randomUUID(), runtime, validated, limits, agentRequest };
  }

  /**
   * Accepts a run to go on without its caller (`?wait=false`): recorded as queued at once, executed in the
   * background, its result (or error) recorded when it ends. Needs the run store.
   */
  async submit(prepared: PreparedRun, keyId: string | null): Promise<{ id: string }> {
    if (!this.deps.store) throw createError('CR_ERR_RUN_STORE_DISABLED');
    if (this.shuttingDown) throw createError('CR_ERR_SERVER_SHUTTING_DOWN', [], { 'Retry-After': '5' });
    // Recorded before it can start, so a later state never races behind this one.
    const createdAt = Date.now();
    await this.record(prepared, { keyId }, createdAt, 'queued', null, null);
    // Answered once the run is queued where it outlives this process (a 202 promises it will run), or once it
    // ended before that (its error is recorded by execute, and read with GET like any result).
    let queued = () => {};
    const inQueue = new Promise<void>((resolve) => (queued = resolve));
    const run = this.execute(prepared, { keyId, recordProgress: true, createdAt, onQueued: queued });
    await Promise.race([
      inQueue,
      run.then(
        () => undefined,
        () => undefined,
      ),
    ]);
    return { id: prepared.id };
  }

  /** A recorded run, or null when unknown (or recorded for another API key). */
  async lookup(id: string, keyId: string | null): Promise<RunRecord | null> {
    if (!this.deps.store) throw createError('CR_ERR_RUN_STORE_DISABLED');
    await this.lastDeferredWrite;
    const record = await this.deps.store.get(id);
    if (!record || (record.keyId !== null && record.keyId !== keyId)) return null;
    return record;
  }

  private record(
    prepared: PreparedRun,
    hooks: RunHooks,
    createdAt: number,
    state: RunRecord['state'],
    result: RunResponse | null,
    error: RunRecord['error'],
  ): Promise<void> {
    const store = this.deps.store;
    const callbackUrl = prepared.validated.body.callbackUrl;
    const ended = state !== 'queued' && state !== 'running';
    if (!store && !(ended && callbackUrl)) return Promise.resolve();
    const files = prepared.validated.files;
    const record: RunRecord = {
      id: prepared.id,
      state,
      language: prepared.runtime.language,
      keyId: hooks.keyId ?? null,
      createdAt: Math.floor(createdAt),
      finishedAt: state === 'queued' || state === 'running' ? null : Date.now(),
      request: {
        files: files.length,
        bytes: files.reduce((sum, f) => sum + f.content.length, 0),
        tests: prepared.validated.body.tests?.length ?? 0,
      },
      result,
      error,
    };
    // The caller's callbackUrl hears of the run once, when it ends, with what GET /api/v1/runs/{id} shows.
    if (ended && callbackUrl) this.deps.webhooks?.deliver(callbackUrl, runView(record));
    if (!store) return Promise.resolve();
    // Embedded, written a moment later (setImmediate), not inside the caller's tick: a run's end records it on
    // its way to the reply, and the embedded store's write is synchronous (better-sqlite3), so it would sit on
    // every run's warm path. The reply goes out first, the write follows before the event loop reads the next
    // request, a run's records keep their order, and lookup() waits for the last one. A worker writes first: an
    // API process that reads the shared store must find the run once it has the result.
    const later = this.deps.recordAfterReply === true;
    const put = later ? nextTurn().then(() => store.put(record)) : store.put(record);
    const write = put.catch((err: unknown) => {
      this.deps.logger.warn({ err: String(err), run: prepared.id }, 'could not record a run');
    });
    // Only a deferred write is waited for: a store another process reads (PostgreSQL) gets no more ordering
    // from this process's lookups than it had, and they do not queue behind unrelated writes.
    if (later) this.lastDeferredWrite = write;
    return write;
  }

  /** Tests with `compare: "checker"` need a checker that could run: a known language, valid files. */
  private checkChecker(body: RunRequest): void {
    const wanted = (body.tests ?? []).some((t) => t.compare === 'checker');
    if (!wanted) return;
    if (!body.checker) throw createError('CR_ERR_RUN_CHECKER_MISSING');
    try {
      this.prepare({ language: body.checker.language, files: body.checker.files, tests: [{}] });
    } catch (err) {
      if (err instanceof CodeRunnerError && err.statusCode < 500) {
        throw createError('CR_ERR_RUN_BAD_CHECKER', err.message);
      }
      throw err;
    }
  }

  /** Runs the checker for the tests that use it, in a run of its own after the program's, and applies it. */
  private async withChecker(
    prepared: PreparedRun,
    response: RunResponse,
    hooks: RunHooks,
  ): Promise<RunResponse> {
    const body = prepared.validated.body;
    const tests = body.tests;
    if (!tests || !body.checker) return response;
    const plan = planChecker(body, response, this.actualOutputs.get(response) ?? new Map());
    if (plan) {
      let checked: RunResponse | null = null;
      let failure: string | null = null;
      try {
        checked = await this.execute(this.prepare(plan.body), hooks.signal ? { signal: hooks.signal } : {});
      } catch (err) {
        failure = `the checker could not run: ${err instanceof Error ? err.message : String(err)}`;
      }
      applyChecker(body, response, plan, checked, failure);
    }
    // Their verdicts were held back while the program ran.
    for (const [i, test] of tests.entries()) {
      if (test.compare === 'checker' && response.tests?.[i]) hooks.onTest?.(i, response.tests[i]);
    }
    return response;
  }

  /** Validates and runs; resolves with the result, or throws a CodeRunnerError (4xx, 429, 503). */
  run(body: unknown, hooks: RunHooks = {}): Promise<RunResponse> {
    return this.execute(this.prepare(body), hooks);
  }

  /** The most a run may take from admission to release: queue, acquire, its stages and the grace. */
  deadlineOf(prepared: PreparedRun): number {
    const c = this.deps.config;
    return c.RUN_QUEUE_TIMEOUT_MS + c.RUN_ACQUIRE_TIMEOUT_MS + this.executionBudgetOf(prepared.agentRequest);
  }

  private executionBudgetOf(request: Readonly<AgentRequest>): number {
    const stages = request.stages.reduce((sum, s) => sum + s.wallMs, 0);
    // Each stage change may wait for one engine call (new limits), bounded by the engine deadline.
    return stages + DEADLINE_GRACE_MS + request.stages.length * this.deps.config.SANDBOX_ENGINE_TIMEOUT_MS;
  }

  /**
   * Runs a prepared request: on a worker through the queue (distributed mode), or through this process's queue
   * and a leased sandbox. Either way within the caller's key's share of runs (RUN_MAX_PER_KEY).
   */
  async execute(prepared: PreparedRun, hooks: RunHooks = {}): Promise<RunResponse> {
    if (this.shuttingDown) throw createError('CR_ERR_SERVER_SHUTTING_DOWN', [], { 'Retry-After': '5' });
    const keyId = hooks.keyId ?? null;
    const slots = keyId ? this.deps.keySlots : undefined;
    if (slots && keyId) {
      let got: boolean;
      try {
        got = await slots.acquire(keyId, prepared.id, this.deadlineOf(prepared));
      } catch (err) {
        throw createError('CR_ERR_QUEUE_UNAVAILABLE', String(err), { 'Retry-After': '5' });
      }
      if (!got) {
        const error = createError('CR_ERR_RUN_KEY_BUSY', this.deps.config.RUN_MAX_PER_KEY, {
          'Retry-After': '1',
        });
        this.deps.observer?.failed(prepared.runtime.language, error.code);
        void this.record(prepared, hooks, hooks.createdAt ?? Date.now(), 'failed', null, {
          code: error.code,
          message: error.message,
        });
        throw error;
      }
    }
    try {
      return this.deps.remote
        ? await this.executeRemote(prepared, hooks, this.deps.remote)
        : await this.executeLocal(prepared, hooks);
    } finally {
      if (slots && keyId) void slots.release(keyId, prepared.id).catch(() => undefined);
    }
  }

  /** On a worker: it records the run and judges its tests; this process only waits for what it says. */
  private async executeRemote(
    prepared: PreparedRun,
    hooks: RunHooks,
    remote: RemoteDispatch,
  ): Promise<RunResponse> {
    const life = new RunLifecycle();
    this.live.add(life);
    const createdAt = hooks.createdAt ?? Date.now();
    try {
      const response = await remote.run(prepared, hooks, this.deadlineOf(prepared) + DEADLINE_GRACE_MS);
      this.deps.observer?.finished(response);
      return response;
    } catch (err) {
      const code = err instanceof CodeRunnerError ? err.code : 'internal';
      this.deps.observer?.failed(prepared.runtime.language, code);
      // Errors before a worker took it are this process's to record; a worker records its own.
      if (!remote.endedOnWorker(err)) {
        const state = code === 'CR_ERR_RUN_CANCELLED' ? 'cancelled' : 'failed';
        const message = err instanceof Error ? err.message : String(err);
        void this.record(prepared, hooks, createdAt, state, null, { code, message });
      }
      throw err;
    } finally {
      this.live.delete(life);
    }
  }

  /** Records a run that ended before it could run (a worker refusing a queued run). */
  recordFailure(
    prepared: PreparedRun,
    keyId: string | null,
    createdAt: number,
    error: CodeRunnerError,
  ): void {
    this.deps.observer?.failed(prepared.runtime.language, error.code);
    void this.record(prepared, { keyId }, createdAt, 'failed', null, {
      code: error.code,
      message: error.message,
    });
  }

  /** Ends a run whose worker died while its program ran: internal_error, recorded, never run again. */
  recordLost(prepared: PreparedRun, keyId: string | null, createdAt: number, message: string): RunResponse {
    const totalMs = round(Date.now() - createdAt);
    const response: RunResponse = {
      id: prepared.id,
      language: prepared.runtime.language,
      version: prepared.runtime.version,
      status: 'internal_error',
      compile: null,
      run: null,
      timings: { queueMs: 0, acquireMs: 0, executeMs: 0, totalMs },
      error: { code: 'worker_lost', message },
    };
    this.deps.observer?.finished(response);
    void this.record(prepared, { keyId }, createdAt, 'finished', response, null);
    return response;
  }

  private async executeLocal(prepared: PreparedRun, hooks: RunHooks): Promise<RunResponse> {
    hooks.onQueued?.();
    const c = this.deps.config;
    const life = new RunLifecycle();
    const admittedAt = wallClockMs();
    const createdAt = hooks.createdAt ?? admittedAt;
    this.live.add(life);
    // One deadline for the whole run; each wait below is also bounded by its own, shorter budget.
    const deadline = timeoutSignal(this.deadlineOf(prepared));
    const signal = hooks.signal ? AbortSignal.any([hooks.signal, deadline]) : deadline;
    try {
      const queued = AbortSignal.any([signal, timeoutSignal(c.RUN_QUEUE_TIMEOUT_MS)]);
      try {
        const response = await this.queue.run(() => {
          // An asynchronous run's record says when it left the queue.
          if (hooks.recordProgress === true)
            void this.record(prepared, hooks, createdAt, 'running', null, null);
          return this.runAdmitted(prepared, hooks, life, signal);
        }, queued);
        // Admitted elsewhere first (a queued run a worker took): its wait there counts as queue time.
        const before = Math.max(0, admittedAt - createdAt);
        if (before > 0) {
          response.timings.queueMs = round(response.timings.queueMs + before);
          response.timings.totalMs = round(response.timings.totalMs + before);
        }
        const judged = await this.withChecker(prepared, response, hooks);
        this.deps.observer?.finished(judged);
        void this.record(prepared, hooks, createdAt, 'finished', judged, null);
        return judged;
      } catch (err) {
        if (err instanceof QueueFullError) {
          throw new RunEnded(
            'failed',
            createError('CR_ERR_RUN_QUEUE_FULL', err.waiting, { 'Retry-After': '1' }),
          );
        }
        if (life.state !== 'queued') throw err; // the run itself ended so
        if (hooks.signal?.aborted) {
          throw new RunEnded(
            'cancelled',
            createError('CR_ERR_RUN_CANCELLED', 'the client went away while it was queued'),
          );
        }
        throw new RunEnded(
          'failed',
          createError('CR_ERR_RUN_QUEUE_TIMEOUT', c.RUN_QUEUE_TIMEOUT_MS, { 'Retry-After': '5' }),
        );
      }
    } catch (err) {
      const code =
        err instanceof RunEnded ? err.error.code : err instanceof CodeRunnerError ? err.code : 'internal';
      this.deps.observer?.failed(prepared.runtime.language, code);
      const message =
        err instanceof RunEnded ? err.error.message : err instanceof Error ? err.message : String(err);
      const state = err instanceof RunEnded && err.state === 'cancelled' ? 'cancelled' : 'failed';
      void this.record(prepared, hooks, createdAt, state, null, { code, message });
      if (err instanceof RunEnded) {
        if (!life.terminal) life.to(err.state);
        throw err.error;
      }
      if (!life.terminal) life.to('failed');
      throw err;
    } finally {
      this.live.delete(life);
    }
  }

  private async runAdmitted(
    prepared: PreparedRun,
    hooks: RunHooks,
    life: RunLifecycle,
    signal: AbortSignal,
  ): Promise<RunResponse> {
    const { runtime, limits, agentRequest } = prepared;
    const c = this.deps.config;
    life.to('acquiring');
    let lease: SandboxLease;
    try {
      const acquiring = AbortSignal.any([signal, timeoutSignal(c.RUN_ACQUIRE_TIMEOUT_MS)]);
      lease = await this.deps.pools.acquire(runtime.language, containerLimitsOf(limits), acquiring);
    } catch (err) {
      if (hooks.signal?.aborted) {
        throw new RunEnded(
          'cancelled',
          createError('CR_ERR_RUN_CANCELLED', 'the client went away while a container was acquired'),
        );
      }
      const reason = err instanceof Error ? err.message : String(err);
      throw new RunEnded('failed', createError('CR_ERR_SANDBOX_UNAVAILABLE', reason, { 'Retry-After': '5' }));
    }
    life.to('running');
    const collector = new RunCollector(agentRequest.stages, {
      maxFiles: agentRequest.maxOutputFiles ?? 0,
      maxBytes: agentRequest.maxOutputBytes ?? 0,
    });
    let started = false;
    let error: RunResponse['error'];
    let oomKilledStage: number | null = null;
    try {
      const tests = prepared.validated.body.tests;
      const firstTest = agentRequest.stages.findIndex((st) => st.name === 'run');
      const execution = lease.execute(agentRequest, {
        deadlineMs: this.executionBudgetOf(agentRequest),
        ackTimeoutMs: c.SANDBOX_ENGINE_TIMEOUT_MS,
        signal,
        // stopOnFirstFailure: each test after the first waits until the one before it is judged a pass.
        ...(tests && prepared.validated.body.stopOnFirstFailure === true
          ? {
              beforeStage: (stage: number) => {
                const i = stage - firstTest - 1;
                const outcome = { exit: collector.exitOf(stage - 1), result: collector.resultOf(stage - 1) };
                return Promise.resolve(i < 0 || passed(tests[i]!, outcome));
              },
            }
          : {}),
        onEvent: (event) => {
          if (event.type === 'stage-begin') started = true;
          if (event.type === 'stage-exit' && event.exit.stage === 0)
            this.deps.observer?.firstStage(runtime.language, event.exit.prestarted);
          const kept = collector.onEvent(event);
          if (kept) hooks.onEvent?.(kept);
          // A test's verdict streams once its stage is over, files included (they follow its exit).
          const over =
            event.type === 'outputs'
              ? event.stage
              : event.type === 'stage-exit' && agentRequest.stages[event.exit.stage]?.collectOutputs !== true
                ? event.exit.stage
                : -1;
          const onTest = hooks.onTest;
          if (tests && onTest && over >= firstTest && tests[over - firstTest]?.compare !== 'checker') {
            const i = over - firstTest;
            const outcome = {
              exit: collector.exitOf(over),
              result: collector.resultOf(over),
              outputs: collector.outputsOf(over),
            };
            onTest(i, testResult(tests[i]!, i, outcome, false));
          }
        },
      });
      hooks.onStart?.(execution);
      await execution.finished;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (hooks.signal?.aborted) {
        throw new RunEnded(
          'cancelled',
          createError('CR_ERR_RUN_CANCELLED', 'the client went away while it ran'),
        );
      }
      if (!started && err instanceof SandboxError && err.reason === 'unavailable') {
        // Nothing of the program ran: the engine is not answering. The client may retry elsewhere.
        throw new RunEnded(
          'failed',
          createError('CR_ERR_SANDBOX_UNAVAILABLE', message, { 'Retry-After': '5' }),
        );
      }
      // Under gVisor an out-of-memory kill takes the whole sandbox, agent included: still the program's fault.
      if (err instanceof SandboxError && err.reason === 'agent_failed' && (await lease.wasOomKilled())) {
        oomKilledStage = collector.currentStage;
      } else {
        this.deps.logger.warn(
          { container: lease.id, language: runtime.language, err: message },
          'run failed in the sandbox',
        );
        error = { code: err instanceof SandboxError ? `sandbox_${err.reason}` : 'sandbox_failed', message };
      }
    } finally {
      lease.release();
    }
    life.to(error ? 'failed' : 'finished');
    return this.response(prepared, collector, life, error, oomKilledStage);
  }

  private response(
    prepared: PreparedRun,
    collector: RunCollector,
    life: RunLifecycle,
    error: RunResponse['error'],
    oomKilledStage: number | null,
  ): RunResponse {
    const { runtime, agentRequest } = prepared;
    const stages = agentRequest.stages;
    const exits = stages.map((_, i) => collector.exitOf(i));
    const compileIndex = stages.findIndex((s) => s.name === 'compile');
    const runIndex = stages.findIndex((s) => s.name === 'run');
    const spent = life.durations();
    const tests = prepared.validated.body.tests;
    let status: RunResponse['status'] = error
      ? 'internal_error'
      : oomKilledStage !== null
        ? 'memory_limit'
        : runStatus(stages, exits);
    let testReport: ReturnType<typeof testResults> | null = null;
    let checkerOutputs: Map<number, string> | null = null;
    if (tests) {
      // With tests, the status says whether the program compiled and the tests ran; the verdicts say the rest.
      const compile = compileIndex >= 0 ? exits[compileIndex] : null;
      const compileFailed =
        compile !== null && compile !== undefined && (compile.exitCode !== 0 || compile.limit !== 'none');
      const outcomes = tests.map((_, i) => {
        const stage = runIndex + i;
        const oom = oomKilledStage === stage;
        const exit = exits[stage] ?? null;
        return {
          exit: oom ? { ...(exit ?? EMPTY_EXIT), stage, limit: 'memory' as const } : exit,
          result: collector.resultOf(stage, oom),
          outputs: collector.outputsOf(stage),
        };
      });
      testReport = testResults(tests, outcomes, compileFailed);
      // What each checker-judged test's program printed, for the checker (hidden tests' results omit it).
      const actual = new Map<number, string>();
      for (const [i, test] of tests.entries()) {
        if (test.compare === 'checker') actual.set(i, outcomes[i]?.result?.stdout ?? '');
      }
      if (actual.size > 0) checkerOutputs = actual;
      if (!error) status = compileFailed ? runStatus(stages.slice(0, 1), exits.slice(0, 1)) : 'ok';
    }
    const response: RunResponse = {
      id: prepared.id,
      language: runtime.language,
      version: runtime.version,
      status,
      compile: compileIndex >= 0 ? collector.resultOf(compileIndex, oomKilledStage === compileIndex) : null,
      run: tests ? null : collector.resultOf(runIndex, oomKilledStage === runIndex),
      timings: {
        queueMs: round(spent.queued ?? 0),
        acquireMs: round(spent.acquiring ?? 0),
        executeMs: round(spent.running ?? 0),
        totalMs: round(life.totalMs()),
      },
    };
    if (testReport) {
      response.tests = testReport.tests;
      response.score = testReport.score;
      if (checkerOutputs) this.actualOutputs.set(response, checkerOutputs);
    } else if (runIndex >= 0) {
      const outputs = collector.outputsOf(runIndex);
      if (outputs.files.length > 0 || outputs.truncated) {
        response.outputs = outputs.files;
        response.outputsTruncated = outputs.truncated;
      }
    }
    if (error) response.error = error;
    return response;
  }
}

/** A stage exit for a test whose container the engine killed before the agent could report it. */
const EMPTY_EXIT: StageExit = {
  stage: 0,
  exitCode: null,
  signal: 9,
  wallTimeMs: 0,
  cpuTimeMs: 0,
  memoryKb: 0,
  limit: 'none',
  stdoutTruncated: false,
  stderrTruncated: false,
  outputBytes: 0,
  prestarted: false,
};

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
