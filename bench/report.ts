// Turns the measurements into the printed table, the ratios with their goals, and bench/results/latest.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TimingBreakdown } from './coderunner-path.js';
import type { Summary } from './stats.js';

export interface ThroughputRow {
  concurrency: number;
  completed: number;
  elapsedMs: number;
  perSecond: number;
  latency: Summary;
}

export interface Measurements {
  startedAt: string;
  host: { cpus: number; node: string; python: string; dockerServer: string };
  latency: {
    hostProcess: Summary;
    dockerRun: Summary;
    cpExec: Summary;
    coderunnerWarm: Summary;
    /** The same warm path with SANDBOX_RUNTIME=runsc; null when gVisor is not registered with the engine. */
    coderunnerWarmGvisor: Summary | null;
  };
  coderunnerWarmTimings: TimingBreakdown;
  churn: ThroughputRow[];
  coderunnerSustained: ThroughputRow & { drainMs: number; perSecondWithDrain: number };
  coderunnerSustainedTimings: TimingBreakdown;
  failedRuns: { count: number; examples: string[] };
}

export interface Goal {
  name: string;
  value: number;
  target: string;
  pass: boolean;
}

export interface Report extends Measurements {
  finishedAt: string;
  rawChurnPerSecond: number;
  ratios: {
    warmOverHost: number;
    cpExecOverWarm: number;
    dockerRunOverWarm: number;
    sustainedOverChurn: number;
    sustainedWithDrainOverChurn: number;
  };
  goals: Goal[];
}

const fix = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

export function buildReport(m: Measurements): Report {
  const rawChurnPerSecond = Math.max(...m.churn.map((c) => c.perSecond));
  const warm = m.latency.coderunnerWarm.medianMs;
  const ratios = {
    warmOverHost: warm / m.latency.hostProcess.medianMs,
    cpExecOverWarm: m.latency.cpExec.medianMs / warm,
    dockerRunOverWarm: m.latency.dockerRun.medianMs / warm,
    sustainedOverChurn: m.coderunnerSustained.perSecond / rawChurnPerSecond,
    sustainedWithDrainOverChurn: m.coderunnerSustained.perSecondWithDrain / rawChurnPerSecond,
  };
  const goals: Goal[] = [
    {
      name: 'warm latency (d)/(a)',
      value: ratios.warmOverHost,
      target: '<= 2x the bare host process',
      pass: ratios.warmOverHost <= 2,
    },
    {
      name: 'sustained (f)/(e)',
      value: ratios.sustainedOverChurn,
      target: '>= 80% of raw churn',
      pass: ratios.sustainedOverChurn >= 0.8,
    },
  ];
  return { ...m, finishedAt: new Date().toISOString(), rawChurnPerSecond, ratios, goals };
}

function breakdownLine(t: TimingBreakdown): string {
  return (
    `queue ${fix(t.queueMs.medianMs)} | acquire ${fix(t.acquireMs.medianMs)} | execute ${fix(t.executeMs.medianMs)} ` +
    `(program wall ${fix(t.programWallMs.medianMs)}) | server total ${fix(t.totalMs.medianMs)}`
  );
}

export function formatReport(r: Report): string {
  const lines: string[] = [];
  const h = r.host;
  lines.push(
    '',
    `CodeRunner benchmark: Python hello world, ${h.cpus} CPUs, Node ${h.node}, Docker ${h.dockerServer}`,
  );
  lines.push(`host interpreter: ${h.python}`, '');
  lines.push('Latency (ms)');
  lines.push(`${pad('path', 62)}${lpad('n', 4)}${lpad('median', 9)}${lpad('p95', 9)}`);
  const rows: Array<[string, Summary]> = [
    ['(a) host process: python3 -c', r.latency.hostProcess],
    ['(b) docker run --rm (CLI)', r.latency.dockerRun],
    ['(c) seed: docker cp + docker exec into a warm container (CLI)', r.latency.cpExec],
    ['(d) CodeRunner POST /api/v1/runs, warm path (full pool)', r.latency.coderunnerWarm],
  ];
  if (r.latency.coderunnerWarmGvisor) {
    rows.push(['(g) CodeRunner under gVisor (runsc), warm path', r.latency.coderunnerWarmGvisor]);
  }
  for (const [name, s] of rows) {
    lines.push(`${pad(name, 62)}${lpad(String(s.n), 4)}${lpad(fix(s.medianMs), 9)}${lpad(fix(s.p95Ms), 9)}`);
  }
  lines.push(
    '  (d) measures the warm path: every sample starts with a full warm pool; it includes HTTP on loopback.',
  );
  lines.push(`  (d) server-side medians (ms): ${breakdownLine(r.coderunnerWarmTimings)}`, '');

  lines.push('Throughput');
  for (const c of r.churn) {
    lines.push(
      `  (e) raw churn create+start+remove, ${c.concurrency} at a time: ${fix(c.perSecond, 2)} containers/s ` +
        `(${c.completed} in ${fix(c.elapsedMs / 1000, 2)} s; p50 ${fix(c.latency.medianMs)} / p95 ${fix(c.latency.p95Ms)} ms)`,
    );
  }
  lines.push(`  (e) raw churn (best of the three): ${fix(r.rawChurnPerSecond, 2)} containers/s`);
  const f = r.coderunnerSustained;
  lines.push(
    `  (f) CodeRunner sustained, ${f.concurrency} at a time: ${fix(f.perSecond, 2)} runs/s (${f.completed} in ` +
      `${fix(f.elapsedMs / 1000, 2)} s; p50 ${fix(f.latency.medianMs)} / p95 ${fix(f.latency.p95Ms)} ms; starts from a full pool)`,
  );
  lines.push(
    `  (f) after the last reply the server needed ${fix(f.drainMs)} ms more to refill its pool and remove used ` +
      `containers; counting that: ${fix(f.perSecondWithDrain, 2)} runs/s`,
  );
  lines.push(`  (f) server-side medians (ms): ${breakdownLine(r.coderunnerSustainedTimings)}`, '');

  lines.push('Ratios');
  lines.push(`  (c)/(d) seed cp+exec vs CodeRunner warm: ${fix(r.ratios.cpExecOverWarm, 2)}x faster`);
  lines.push(`  (b)/(d) docker run vs CodeRunner warm:   ${fix(r.ratios.dockerRunOverWarm, 2)}x faster`);
  for (const g of r.goals) {
    const shown = g.name.startsWith('sustained') ? `${fix(g.value * 100, 0)}%` : `${fix(g.value, 2)}x`;
    lines.push(
      `  ${pad(g.name, 22)} ${lpad(shown, 7)}   goal ${pad(g.target, 28)} ${g.pass ? 'PASS' : 'MISS'}`,
    );
  }
  lines.push(`  (f)/(e) counting the drain: ${fix(r.ratios.sustainedWithDrainOverChurn * 100, 0)}%`);
  lines.push('  (goals are informational; the bench exits 0 unless something errored)', '');
  if (r.failedRuns.count > 0) {
    lines.push(
      `FAILED RUNS: ${r.failedRuns.count} hello-world run(s) did not return status ok / 'hello' (left out`,
    );
    lines.push('of the latency samples and of runs/s); first replies:');
    for (const e of r.failedRuns.examples) lines.push(`  ${e}`);
    lines.push('');
  }
  return lines.join('\n');
}

export async function writeReport(file: string, r: Report): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
}
