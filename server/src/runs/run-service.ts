import { randomUUID } from 'node:crypto';
import type { RunResponse } from '@coderunner/protocol';
import type { Config } from '../config/config.js';
import { createError } from '../errors/errors.js';
import type { AgentEvent, AgentRequest } from '../sandbox/agent-protocol.js';
import type { SandboxPools } from '../sandbox/sandbox-pools.js';
import { SandboxError, type Execution, type Sandbox } from '../sandbox/sandbox.js';
import type { Runtime, RuntimeRegistry } from '../runtimes/runtime-registry.js';
import { BoundedQueue, QueueFullError } from '../util/bounded-queue.js';
import { buildAgentRequest, limitsDiffer, resolveLimits, type ResolvedLimits } from './run-plan.js';
import { RunCollector, runStatus } from './run-result.js';
import { createRunRequestSchema, validateRunRequest, type ValidatedRun } from './run-request.js';

export type { RunResponse };

/** A request that passed validation, with its runtime, limits and agent request ready. */
export interface PreparedRun {
  runtime: Runtime;
  validated: ValidatedRun;
  limits: ResolvedLimits;
  agentRequest: AgentRequest;
}

export interface RunHooks {
  /** Every agent event as it arrives, output already clipped to the run's cap (streaming clients). */
  onEvent?: (event: AgentEvent) => void;
  /** Called once the program has been sent, with the handle for stdin and signals. */
  onStart?: (execution: Execution) => void;
  /** Aborted when the client has gone: a run still queued is dropped, a running one is killed by the caller. */
  signal?: AbortSignal;
}

export interface RunServiceDeps {
  config: Config;
  registry: RuntimeRegistry;
  pools: SandboxPools;
  logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** Extra time the server grants beyond the stages' own limits before it gives up on an agent. */
const DEADLINE_GRACE_MS = 3000;

/**
 * Orchestrates a run: validate -> queue -> acquire a warm sandbox -> send the request -> collect -> release.
 * The sandbox is always released (removed) in `finally`.
 */
export class RunService {
  private readonly schema;
  private readonly queue: BoundedQueue;
  private shuttingDown = false;
  private active = 0;

  constructor(private readonly deps: RunServiceDeps) {
    this.schema = createRunRequestSchema(deps.config);
    this.queue = new BoundedQueue(deps.config.RUN_MAX_CONCURRENT, deps.config.RUN_MAX_QUEUED);
  }

  /** Runs admitted and not yet finished (queued or executing). */
  get inFlight(): number {
    return this.active;
  }

  /** Queue numbers for /healthz. */
  queueStats(): { running: number; queued: number } {
    return { running: this.queue.running, queued: this.queue.queued };
  }

  /** Refuses new runs from now on (SIGTERM); runs already admitted finish. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  /** Validates a raw body and plans the run; throws a 4xx CodeRunnerError naming the problem. */
  prepare(body: unknown): PreparedRun {
    const validated = validateRunRequest(body, this.schema);
    const runtime = this.deps.registry.resolve(validated.body.language);
    if (!runtime) throw createError('CR_ERR_RUN_UNKNOWN_LANGUAGE', validated.body.language);
    const wanted = validated.body.version;
    if (wanted && wanted !== '*' && wanted !== runtime.version && !runtime.version.startsWith(`${wanted}.`)) {
      throw createError('CR_ERR_RUN_UNKNOWN_VERSION', [wanted, runtime.language, runtime.version]);
    }
    const limits = resolveLimits(this.deps.config, runtime, validated);
    const agentRequest = buildAgentRequest(
      this.deps.config,
      runtime,
      validated,
      limits,
      this.deps.pools.canUpdateLimits,
    );
    return { runtime, validated, limits, agentRequest };
  }

  /** Validates and runs; resolves with the result, or throws a CodeRunnerError (4xx, 429, 503). */
  run(body: unknown, hooks: RunHooks = {}): Promise<RunResponse> {
    return this.execute(this.prepare(body), hooks);
  }

  /** Runs a prepared request through the queue and a warm sandbox. */
  async execute(prepared: PreparedRun, hooks: RunHooks = {}): Promise<RunResponse> {
    if (this.shuttingDown) throw createError('CR_ERR_SERVER_SHUTTING_DOWN', [], { 'Retry-After': '5' });
    const started = performance.now();
    this.active++;
    try {
      return await this.queue.run(() => this.executeNow(prepared, hooks, started));
    } catch (err) {
      if (err instanceof QueueFullError) {
        throw createError('CR_ERR_RUN_QUEUE_FULL', err.waiting, { 'Retry-After': '1' });
      }
      throw err;
    } finally {
      this.active--;
    }
  }

  private async executeNow(prepared: PreparedRun, hooks: RunHooks, started: number): Promise<RunResponse> {
    const { runtime, limits, agentRequest } = prepared;
    const pools = this.deps.pools;
    const dequeued = performance.now();
    if (hooks.signal?.aborted)
      throw createError('CR_ERR_RUN_CANCELLED', 'the client went away while it was queued');
    const initial = limits.compile ?? limits.run;
    // Engines that cannot change a running container's limits (gVisor) get a container made to measure when
    // the pool's do not fit, and keep the first stage's limits for the run stage (docs/security.md).
    const fixedLimits = !pools.canUpdateLimits;
    let sandbox: Sandbox;
    try {
      const spec = pools.specFor(runtime.language);
      sandbox =
        fixedLimits && spec && limitsDiffer(spec, initial)
          ? await pools.createDedicated(runtime.language, initial)
          : await pools.acquire(runtime.language);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw createError('CR_ERR_SANDBOX_UNAVAILABLE', reason, { 'Retry-After': '5' });
    }
    const acquired = performance.now();
    const collector = new RunCollector(agentRequest.stages);
    let error: RunResponse['error'];
    let oomKilledStage: number | null = null;
    try {
      // The first stage runs with the container's limits; a run stage after a compile gets its own (P/G).
      if (!fixedLimits) await sandbox.setLimits(initial);
      const deadlineMs = agentRequest.stages.reduce((sum, s) => sum + s.wallMs, 0) + DEADLINE_GRACE_MS;
      const execution = sandbox.execute(agentRequest, {
        deadlineMs,
        beforeStage: () => sandbox.setLimits(limits.run),
        onEvent: (event) => {
          const kept = collector.onEvent(event);
          if (kept) hooks.onEvent?.(kept);
        },
      });
      hooks.onStart?.(execution);
      await execution.finished;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // Under gVisor an out-of-memory kill takes the whole sandbox, agent included: still the program's fault.
      if (err instanceof SandboxError && err.reason === 'agent_failed' && (await sandbox.wasOomKilled())) {
        oomKilledStage = collector.currentStage;
      } else {
        this.deps.logger.warn(
          { container: sandbox.id, language: runtime.language, err: message },
          'run failed in the sandbox',
        );
        error = { code: err instanceof SandboxError ? `sandbox_${err.reason}` : 'sandbox_failed', message };
      }
    } finally {
      this.deps.pools.release(sandbox);
    }
    const finished = performance.now();
    const stages = agentRequest.stages;
    const exits = stages.map((_, i) => collector.exitOf(i));
    const compileIndex = stages.findIndex((s) => s.name === 'compile');
    const runIndex = stages.findIndex((s) => s.name === 'run');
    const response: RunResponse = {
      id: randomUUID(),
      language: runtime.language,
      version: runtime.version,
      status: error ? 'internal_error' : oomKilledStage !== null ? 'memory_limit' : runStatus(stages, exits),
      compile: compileIndex >= 0 ? collector.resultOf(compileIndex, oomKilledStage === compileIndex) : null,
      run: collector.resultOf(runIndex, oomKilledStage === runIndex),
      timings: {
        queueMs: round(dequeued - started),
        acquireMs: round(acquired - dequeued),
        executeMs: round(finished - acquired),
        totalMs: round(finished - started),
      },
    };
    if (error) response.error = error;
    return response;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
