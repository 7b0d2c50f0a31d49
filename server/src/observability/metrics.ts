import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RunResponse } from '@coderunner/protocol';
import type { PoolStats } from '../sandbox/warm-pool.js';

/** What a finished (or refused) run tells the metrics. */
export interface RunObserver {
  /** A run that produced a result. */
  finished(response: RunResponse): void;
  /** A run refused or failed before a result (queue full, no sandbox, cancelled): by error code. */
  failed(language: string, code: string): void;
  /** A run's first stage ended: it ran in the process the agent had pre-started, or in one started for it. */
  firstStage(language: string, prestarted: boolean): void;
}

/** Live state read at scrape time. */
export interface MetricsSources {
  queue: () => { running: number; queued: number };
  pools: () => PoolStats[];
  /** Live workers (distributed mode): their group, sandbox runtime, runs held and slots. */
  workers?: () => ReadonlyArray<{
    group: string;
    sandboxRuntime: string;
    running: number;
    concurrency: number;
  }>;
}

const SECONDS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30];

/**
 * The server's Prometheus metrics (prom-client, one registry per app so tests and several apps in a process
 * never share counters): runs by language and status, per-phase latency histograms, queue depth, pool sizes and
 * the process's own defaults. `GET /metrics` serves `registry` (behind the API's access control).
 */
export class Metrics implements RunObserver {
  readonly registry = new Registry();
  private readonly runs: Counter<'language' | 'status'>;
  private readonly refused: Counter<'language' | 'code'>;
  private readonly phase: Histogram<'language' | 'phase'>;
  private readonly firstStages: Counter<'language' | 'start'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'coderunner_' });
    this.runs = new Counter({
      name: 'coderunner_runs_total',
      help: 'Runs that produced a result, by language and status',
      labelNames: ['language', 'status'],
      registers,
    });
    this.refused = new Counter({
      name: 'coderunner_runs_failed_total',
      help: 'Runs refused or failed before a result (queue full, no sandbox, cancelled), by error code',
      labelNames: ['language', 'code'],
      registers,
    });
    this.firstStages = new Counter({
      name: 'coderunner_first_stages_total',
      help:
        "Runs' first stages that ended, by how their process started: prestarted (handed to the process the " +
        'agent started before the request, RUN_PRESTART) or plain; counted where the run executes',
      labelNames: ['language', 'start'],
      registers,
    });
    this.phase = new Histogram({
      name: 'coderunner_run_phase_seconds',
      help: 'Time of each phase of a run: queue, acquire (a warm container), execute, total',
      labelNames: ['language', 'phase'],
      buckets: SECONDS,
      registers,
    });
    new Gauge({
      name: 'coderunner_queue_runs',
      help: 'Runs executing and waiting in the queue',
      labelNames: ['state'],
      registers,
      collect() {
        const q = sources.queue();
        this.set({ state: 'running' }, q.running);
        this.set({ state: 'queued' }, q.queued);
      },
    });
    new Gauge({
      name: 'coderunner_pool_containers',
      help: 'Warm-pool containers per language: ready, being created, the current target',
      labelNames: ['language', 'state'],
      registers,
      collect() {
        for (const p of sources.pools()) {
          this.set({ language: p.language, state: 'ready' }, p.ready);
          this.set({ language: p.language, state: 'creating' }, p.creating);
          this.set({ language: p.language, state: 'target' }, p.target);
        }
      },
    });
    new Gauge({
      name: 'coderunner_pool_waiting',
      help: 'Runs waiting for a warm container, per language',
      labelNames: ['language'],
      registers,
      collect() {
        for (const p of sources.pools()) this.set({ language: p.language }, p.waiting);
      },
    });
    // Counters kept by the pools themselves (cumulative since start), so read at scrape time.
    const poolCounter = (name: string, help: string, read: (p: PoolStats) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['language'],
        registers,
        collect() {
          this.reset();
          for (const p of sources.pools()) this.inc({ language: p.language }, read(p));
        },
      });
    poolCounter(
      'coderunner_pool_acquired_total',
      'Containers handed to runs straight from the warm pool (hits)',
      (p) => p.hits,
    );
    poolCounter(
      'coderunner_pool_misses_total',
      'Runs that found no ready container and waited for one to be created',
      (p) => p.misses,
    );
    poolCounter(
      'coderunner_containers_created_total',
      'Sandbox containers created (churn)',
      (p) => p.created,
    );
    poolCounter(
      'coderunner_containers_removed_total',
      'Sandbox containers removed (churn)',
      (p) => p.removed,
    );
    if (sources.workers) this.workerGauges(registers, sources.workers);
  }

  private workerGauges(registers: Registry[], workers: NonNullable<MetricsSources['workers']>): void {
    new Gauge({
      name: 'coderunner_workers',
      help: 'Live workers (announced within WORKER_TTL_MS) per group and sandbox runtime',
      labelNames: ['group', 'sandbox'],
      registers,
      collect() {
        this.reset();
        for (const w of workers()) this.inc({ group: w.group, sandbox: w.sandboxRuntime });
      },
    });
    new Gauge({
      name: 'coderunner_worker_slots',
      help: 'Run slots of the live workers: busy and total, per group',
      labelNames: ['group', 'state'],
      registers,
      collect() {
        this.reset();
        for (const w of workers()) {
          this.inc({ group: w.group, state: 'busy' }, w.running);
          this.inc({ group: w.group, state: 'total' }, w.concurrency);
        }
      },
    });
  }

  finished(response: RunResponse): void {
    this.runs.inc({ language: response.language, status: response.status });
    const t = response.timings;
    for (const [phase, ms] of [
      ['queue', t.queueMs],
      ['acquire', t.acquireMs],
      ['execute', t.executeMs],
      ['total', t.totalMs],
    ] as const) {
      this.phase.observe({ language: response.language, phase }, ms / 1000);
    }
  }

  failed(language: string, code: string): void {
    this.refused.inc({ language, code });
  }

  firstStage(language: string, prestarted: boolean): void {
    this.firstStages.inc({ language, start: prestarted ? 'prestarted' : 'plain' });
  }
}
