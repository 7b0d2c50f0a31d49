// Turns the measurements into the printed table, the ratios with their goals, and bench/results/latest.json.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TimingBreakdown } from './coderunner-path.js';
import type { LanguageRow, LanguagesResult } from './languages.js';
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
  /** Phase (j): the per-language table. */
  languages: LanguagesResult;
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
  /** Phase (j)'s goals, held to the bare command of each language (formatLanguages prints them). */
  languageGoals: Goal[];
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
  return {
    ...m,
    finishedAt: new Date().toISOString(),
    rawChurnPerSecond,
    ratios,
    goals,
    languageGoals: languageGoals(m.languages),
  };
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
  lines.push(formatLanguages(r.languages, r.languageGoals), '');
  return lines.join('\n');
}

/** The issue's per-language targets: the warm path (pre-start on) and gVisor against the bare command. */
const LANGUAGE_TARGETS = [
  { language: 'python', column: 'on', max: 0.5, name: 'Python warm (pre-start on) / bare python3' },
  { language: 'javascript', column: 'on', max: 0.6, name: 'Node warm (pre-start on) / bare node' },
  { language: 'java', column: 'on', max: 0.3, name: 'Java warm (pre-start on) / bare javac + java' },
  { language: 'python', column: 'gvisor', max: 4, name: 'Python under gVisor / bare python3' },
] as const;

/** The ratio of a row's warm column to its bare command; NaN when either was not measured. */
function overBare(row: LanguageRow | undefined, column: keyof LanguageRow['warm']): number {
  const warm = row?.warm[column]?.medianMs;
  const bare = row?.bare?.medianMs;
  return warm !== undefined && bare !== undefined ? warm / bare : Number.NaN;
}

/** Phase (j)'s goals; one whose column was not measured has a NaN value and does not pass. */
export function languageGoals(r: LanguagesResult): Goal[] {
  return LANGUAGE_TARGETS.map((t) => {
    const value = overBare(
      r.rows.find((row) => row.language === t.language),
      t.column,
    );
    return { name: t.name, value, target: `<= ${t.max}x`, pass: value <= t.max };
  });
}

const cell = (v: number | undefined, digits = 1) => (v === undefined ? 'n/a' : fix(v, digits));

function languageLine(row: LanguageRow, gvisor: boolean): string {
  const ratio = (column: keyof LanguageRow['warm']) => {
    const v = overBare(row, column);
    return Number.isFinite(v) ? `${fix(v, 2)}x` : 'n/a';
  };
  const wall = `${cell(row.programWall.on?.medianMs)} / ${cell(row.programWall.off?.medianMs)}`;
  const compileWall = row.compileWall;
  const compile =
    compileWall.on || compileWall.off
      ? `${cell(compileWall.on?.medianMs)} / ${cell(compileWall.off?.medianMs)}`
      : '-';
  const cells = [
    pad(row.language, 11),
    lpad(row.prestart ? 'yes' : 'no', 9),
    lpad(cell(row.bare?.medianMs), 9),
    lpad(cell(row.warm.on?.medianMs), 9),
    lpad(ratio('on'), 8),
    lpad(cell(row.warm.off?.medianMs), 9),
    lpad(ratio('off'), 8),
    lpad(wall, 16),
    lpad(compile, 14),
    ...(gvisor ? [lpad(cell(row.warm.gvisor?.medianMs), 9), lpad(ratio('gvisor'), 8)] : []),
    lpad(`${row.warm.on?.n ?? 0}/${row.warm.off?.n ?? 0}${gvisor ? `/${row.warm.gvisor?.n ?? 0}` : ''}`, 9),
  ];
  return cells.join(' ');
}

/** Phase (j)'s table, its notes and its goals. */
export function formatLanguages(r: LanguagesResult, goals: readonly Goal[]): string {
  const gvisor = r.gvisorNotMeasured === null;
  const header = [
    pad('language', 11),
    lpad('pre-start', 9),
    lpad('bare ms', 9),
    lpad('on ms', 9),
    lpad('on/bare', 8),
    lpad('off ms', 9),
    lpad('off/bare', 8),
    lpad('prog wall on/off', 16),
    lpad('compile on/off', 14),
    ...(gvisor ? [lpad('gVisor ms', 9), lpad('gV/bare', 8)] : []),
    lpad('n', 9),
  ];
  const lines = [
    '',
    `Per language: hello world (runtimes/<language>/tests/hello), medians in ms`,
    '  bare: the compile + run commands of runtime.json, timed inside a running container of the image (no',
    `  docker exec), ${r.sandboxCpus} CPU as the sandbox has. on / off: CodeRunner POST /api/v1/runs, warm path (full`,
    `  pool of ${r.poolSize}), RUN_PRESTART true / false (identical where runtime.json has no prestart). prog wall: the`,
    "  reply's run.wallTimeMs (the program's own time in the sandbox), on / off. compile: the reply's",
    "  compile.wallTimeMs (the compile stage's own time in the sandbox), on / off; '-' where there is none.",
    header.join(' '),
    ...r.rows.map((row) => languageLine(row, gvisor)),
  ];
  if (!gvisor) lines.push(`  gVisor (runsc) column: not measured: ${r.gvisorNotMeasured}`);
  for (const row of r.rows) for (const note of row.notes) lines.push(`  ${row.language}: ${note}`);
  for (const g of goals) {
    const verdict = Number.isFinite(g.value) ? (g.pass ? 'met' : 'MISSED') : 'not measured';
    lines.push(
      `  ${pad(g.name, 46)} ${lpad(`${fix(g.value, 2)}x`, 7)}   goal ${pad(g.target, 8)} ${verdict}`,
    );
  }
  if (r.failedRuns.count > 0) {
    lines.push(`  FAILED RUNS: ${r.failedRuns.count}; first replies:`);
    for (const e of r.failedRuns.examples) lines.push(`    ${e}`);
  }
  return lines.join('\n');
}

export async function writeReport(file: string, r: Report): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
}

/**
 * BENCH_ONLY=languages: puts phase (j)'s numbers into the results file, keeping what an earlier full run wrote
 * there (its own startedAt says when each part was measured).
 */
export async function mergeLanguagesReport(file: string, r: LanguagesResult): Promise<void> {
  const earlier = await readFile(file, 'utf8')
    .then((text) => JSON.parse(text) as Record<string, unknown>)
    .catch(() => ({}));
  await mkdir(dirname(file), { recursive: true });
  const merged = { ...earlier, languages: r, languageGoals: languageGoals(r) };
  await writeFile(file, `${JSON.stringify(merged, null, 2)}\n`);
}
