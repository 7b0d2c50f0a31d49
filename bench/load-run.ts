// The load test's core: N run requests at concurrency C against a CodeRunner base URL on loopback, each with its
// own timeout, classified as a result (200), a refusal with Retry-After (429/503), or a failure (anything else,
// a network error, or no answer in time: a hung request). Used by `npm run load` and by the short CI version.
import { percentile } from './stats.js';

export interface LoadOptions {
  baseUrl: string;
  requests: number;
  concurrency: number;
  /** A request with no answer after this long counts as hung. */
  requestTimeoutMs: number;
  body: (i: number) => object;
  /** Checks a 200 reply; returns a problem or null. */
  check: (i: number, reply: { status: string; run: { stdout: string } | null }) => string | null;
}

export interface LoadReport {
  ok: number;
  refused: number;
  refusedWithoutRetryAfter: number;
  failed: number;
  hung: number;
  problems: string[];
  elapsedMs: number;
  perSecond: number;
  latency: { p50: number; p95: number; p99: number; max: number };
}

/** Runs the load and reports; never throws for a bad reply, only counts it. */
export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const report: LoadReport = {
    ok: 0,
    refused: 0,
    refusedWithoutRetryAfter: 0,
    failed: 0,
    hung: 0,
    problems: [],
    elapsedMs: 0,
    perSecond: 0,
    latency: { p50: 0, p95: 0, p99: 0, max: 0 },
  };
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < o.requests; i = next++) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${o.baseUrl}/api/v1/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(o.body(i)),
          signal: AbortSignal.timeout(o.requestTimeoutMs),
        });
        const text = await res.text();
        latencies.push(performance.now() - t0);
        if (res.status === 200) {
          const problem = o.check(i, JSON.parse(text) as Parameters<LoadOptions['check']>[1]);
          if (problem) {
            report.failed++;
            report.problems.push(`#${i}: ${problem}`);
          } else report.ok++;
        } else if (res.status === 429 || res.status === 503) {
          report.refused++;
          if (!res.headers.get('retry-after')) report.refusedWithoutRetryAfter++;
        } else {
          report.failed++;
          report.problems.push(`#${i}: HTTP ${res.status} ${text.slice(0, 200)}`);
        }
      } catch (err) {
        const name = (err as Error).name;
        if (name === 'TimeoutError' || name === 'AbortError') report.hung++;
        else report.failed++;
        report.problems.push(`#${i}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, o.requests) }, worker));
  report.elapsedMs = performance.now() - started;
  report.perSecond = (report.ok / report.elapsedMs) * 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const r = (v: number) => Math.round(v);
  report.latency = {
    p50: r(percentile(sorted, 50)),
    p95: r(percentile(sorted, 95)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted[sorted.length - 1] ?? 0),
  };
  return report;
}
