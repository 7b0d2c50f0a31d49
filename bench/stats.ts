// Sample collection and summary statistics for the benchmark. Every loop here is bounded twice: by a count and
// by a time budget, and stops early when the shared abort signal fires (Ctrl-C).

export interface Summary {
  n: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
}

/** Linear-interpolated percentile of an ascending array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (rank - lo);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((x, y) => x - y);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    n: sorted.length,
    medianMs: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    minMs: round(sorted[0] ?? Number.NaN),
    maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
    meanMs: round(sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length)),
  };
}

export interface Bounds {
  count: number;
  budgetMs: number;
  signal: AbortSignal;
}

/**
 * Runs `fn` sequentially up to `count` times, timing each call (ms); a call that resolves `false` (a failed run
 * that was recorded elsewhere) is not kept as a sample. `before` runs untimed ahead of each sample (e.g. waiting
 * for a full pool). Stops early when the budget is spent or the signal aborts; errors propagate.
 */
export async function sampleSequential(
  bounds: Bounds,
  fn: () => Promise<boolean | void>,
  before?: () => Promise<void>,
): Promise<number[]> {
  const deadline = performance.now() + bounds.budgetMs;
  const samples: number[] = [];
  for (let i = 0; i < bounds.count; i++) {
    if (bounds.signal.aborted || performance.now() > deadline) break;
    if (before) await before();
    const t0 = performance.now();
    if ((await fn()) !== false) samples.push(performance.now() - t0);
  }
  return samples;
}

export interface ConcurrentResult {
  latencies: number[];
  completed: number;
  elapsedMs: number;
  perSecond: number;
}

/**
 * Starts `count` calls of `fn` with at most `concurrency` in flight; no new call starts after the budget is
 * spent, the signal aborts or a call throws (the first error is rethrown once every call in flight settled).
 * Calls resolving `false` count as started but not completed. Throughput = completed calls / wall time from
 * first start to last finish.
 */
export async function runConcurrent(
  bounds: Bounds,
  concurrency: number,
  fn: (index: number) => Promise<boolean | void>,
): Promise<ConcurrentResult> {
  const t0 = performance.now();
  const deadline = t0 + bounds.budgetMs;
  const latencies: number[] = [];
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < bounds.count && !bounds.signal.aborted && performance.now() < deadline) {
      const index = next++;
      const s = performance.now();
      try {
        if ((await fn(index)) !== false) latencies.push(performance.now() - s);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: concurrency }, () => worker()));
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  const elapsedMs = performance.now() - t0;
  return {
    latencies,
    completed: latencies.length,
    elapsedMs,
    perSecond: latencies.length / (elapsedMs / 1000),
  };
}

/** Prints one progress line to stderr (stdout carries the report). */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
