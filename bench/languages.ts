// Phase (j): every table language's hello world on four paths: the bare command inside a running container
// (language-bare.ts), CodeRunner's warm path with pre-started interpreters on and off (RUN_PRESTART), and the
// warm path under gVisor. The two runc servers (on, off) run side by side; every sample waits until both are
// settled (pools full, used containers gone), so no refill or teardown overlaps a measured run, and the columns
// take turns in an order that alternates, so drift weighs on each alike. The gVisor column comes after, from a
// gVisor server alone (its idle sandboxes would take CPU from the runc columns).
import http from 'node:http';
import type Docker from 'dockerode';
import { loadConfig } from '../server/src/config/config.js';
import { CONTAINER_LABELS } from '../server/src/sandbox/docker-sandbox-driver.js';
import { imageNameFor } from '../server/src/runtimes/runtime-manifest.js';
import { benchBare } from './language-bare.js';
import { loadHelloCases, TABLE_LANGUAGES, type HelloCase } from './language-cases.js';
import { RunFailures, startServer, type RunningServer } from './coderunner-path.js';
import { progress, summarize, type Summary } from './stats.js';

const POOL_SIZE = 2;
const REQUEST_TIMEOUT_MS = 30000;
const SETTLE_TIMEOUT_MS = 60000;
const MAX_FAILED_RUNS = 5;
/** Per language: repetitions and seconds for the bare loop, rounds and seconds for the warm columns. */
const BARE = { count: 15, budgetMs: 8000 };
const WARM = { count: 15, budgetMs: 22000 };

export type Column = 'on' | 'off' | 'gvisor';

export interface LanguageRow {
  language: string;
  /** Whether runtime.json declares a prestart (only then do the on and off columns differ). */
  prestart: boolean;
  bare: Summary | null;
  warm: Record<Column, Summary | null>;
  /** The reply's run.wallTimeMs: the program's own time in the sandbox. */
  programWall: Record<'on' | 'off', Summary | null>;
  /** The reply's compile.wallTimeMs (the compile stage's own time in the sandbox); null without one. */
  compileWall: Record<'on' | 'off', Summary | null>;
  /** Why a cell is empty ("no image", a bare command that failed). */
  notes: string[];
}

export interface LanguagesResult {
  startedAt: string;
  finishedAt: string;
  poolSize: number;
  sandboxCpus: number;
  /** Why the gVisor column is empty, or null when it was measured. */
  gvisorNotMeasured: string | null;
  rows: LanguageRow[];
  failedRuns: { count: number; examples: string[] };
}

interface Server {
  column: Column;
  running: RunningServer;
}

/**
 * The client of the warm columns: node:http on one kept-alive connection per server, as a load tool's client is.
 * fetch (undici's WHATWG layer: streams, Headers, a composed AbortSignal) cost ~1.4 ms more per request here
 * than curl in a process of its own, and this client ~0.1 ms less: that is the client's time, not the service's.
 */
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

function postJson(
  baseUrl: string,
  body: string,
  signal: AbortSignal,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL('/api/v1/runs', baseUrl);
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: keepAlive,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The reply's verdict and the program's own time; a reply other than ok + the hello is recorded in `failures`. */
async function postCase(
  baseUrl: string,
  c: HelloCase,
  phase: string,
  failures: RunFailures,
  signal: AbortSignal,
): Promise<{ ok: boolean; wallTimeMs: number; compileMs: number }> {
  const { status, text } = await postJson(
    baseUrl,
    JSON.stringify({
      language: c.language,
      files: c.files.map((f) => ({ ...f, toBeExec: f.name === c.entry })),
    }),
    signal,
  );
  if (status !== 200) throw new Error(`POST /api/v1/runs: HTTP ${status}: ${text.slice(0, 800)}`);
  const body = JSON.parse(text) as {
    status?: string;
    compile?: { wallTimeMs?: number } | null;
    run?: { stdout?: string; wallTimeMs?: number } | null;
  };
  if (body.status !== 'ok' || body.run?.stdout !== c.stdout) {
    failures.record(phase, text);
    return { ok: false, wallTimeMs: Number.NaN, compileMs: Number.NaN };
  }
  return {
    ok: true,
    wallTimeMs: body.run.wallTimeMs ?? Number.NaN,
    compileMs: body.compile?.wallTimeMs ?? Number.NaN,
  };
}

/** Until every pool of the server is full and only its pool's containers are left (used ones removed). */
export async function settle(docker: Docker, running: RunningServer): Promise<void> {
  const t0 = performance.now();
  await running.server.pools.whenFull(SETTLE_TIMEOUT_MS);
  const target = running.server.pools.stats().reduce((sum, p) => sum + p.target, 0);
  const filters = { label: [`${CONTAINER_LABELS.instance}=${running.server.driver.instanceId}`] };
  while ((await docker.listContainers({ all: true, filters })).length > target) {
    if (performance.now() - t0 > SETTLE_TIMEOUT_MS)
      throw new Error(`a server did not settle within ${SETTLE_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Round `i`'s column order: on and off swap places every round. */
function roundOrder(servers: readonly Server[], i: number): Server[] {
  const [first, second, ...rest] = servers;
  if (!first || !second) return [...servers];
  return [...(i % 2 === 0 ? [first, second] : [second, first]), ...rest];
}

/** The warm columns of one language: a warm-up per server, then rounds of one sample per server. */
async function sampleWarm(
  docker: Docker,
  servers: readonly Server[],
  c: HelloCase,
  failures: RunFailures,
  signal: AbortSignal,
): Promise<{
  latency: Record<Column, number[]>;
  wall: Record<Column, number[]>;
  compile: Record<Column, number[]>;
}> {
  const settleAll = () => Promise.all(servers.map((s) => settle(docker, s.running)));
  const latency: Record<Column, number[]> = { on: [], off: [], gvisor: [] };
  const wall: Record<Column, number[]> = { on: [], off: [], gvisor: [] };
  const compile: Record<Column, number[]> = { on: [], off: [], gvisor: [] };
  for (const s of servers) {
    await settleAll();
    await postCase(s.running.baseUrl, c, `(j) ${c.language} ${s.column} warm-up`, failures, signal);
  }
  const deadline = performance.now() + WARM.budgetMs;
  for (let i = 0; i < WARM.count && performance.now() < deadline && !signal.aborted; i++) {
    for (const s of roundOrder(servers, i)) {
      await settleAll();
      const t0 = performance.now();
      const reply = await postCase(s.running.baseUrl, c, `(j) ${c.language} ${s.column}`, failures, signal);
      if (!reply.ok) continue;
      latency[s.column].push(performance.now() - t0);
      wall[s.column].push(reply.wallTimeMs);
      if (Number.isFinite(reply.compileMs)) compile[s.column].push(reply.compileMs);
    }
  }
  return { latency, wall, compile };
}

const orNull = (samples: readonly number[]) => (samples.length > 0 ? summarize(samples) : null);

/** The languages whose image is there; the others get a row that says so. */
async function withImages(
  docker: Docker,
  cases: HelloCase[],
): Promise<{ ready: HelloCase[]; missing: string[] }> {
  const present = await Promise.all(
    cases.map((c) =>
      docker
        .getImage(imageNameFor(c.language))
        .inspect()
        .then(
          () => true,
          () => false,
        ),
    ),
  );
  return {
    ready: cases.filter((_, i) => present[i]),
    missing: cases.filter((_, i) => !present[i]).map((c) => c.language),
  };
}

/** Starts the gVisor server, or says why it cannot be: the column is reported as not measured, not fatal. */
async function startGvisor(
  docker: Docker,
  languages: string,
  servers: RunningServer[],
): Promise<RunningServer | string> {
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  if (!info.Runtimes || !('runsc' in info.Runtimes)) return 'runsc is not registered with the engine';
  try {
    const g = await startServer(docker, POOL_SIZE, 'runsc', languages, { RUN_PRESTART: 'true' });
    servers.push(g);
    return g;
  } catch (err) {
    return `the gVisor server did not start: ${err instanceof Error ? err.message : String(err)}`.slice(
      0,
      300,
    );
  }
}

/** Starts the runc servers of the on and off columns; each is pushed to `servers` as soon as it runs. */
async function startRuncServers(
  docker: Docker,
  languages: string,
  servers: RunningServer[],
): Promise<Server[]> {
  const list: Server[] = [];
  for (const [column, prestart] of [
    ['on', 'true'],
    ['off', 'false'],
  ] as const) {
    progress(`(j) starting a runc server, RUN_PRESTART=${prestart}, pool ${POOL_SIZE} x ${languages} ...`);
    const running = await startServer(docker, POOL_SIZE, 'runc', languages, { RUN_PRESTART: prestart });
    servers.push(running);
    list.push({ column, running });
  }
  return list;
}

/** Closes servers of this phase early (and takes them off the caller's clean-up list). */
async function closeServers(list: readonly Server[], servers: RunningServer[]): Promise<void> {
  for (const { running } of list) {
    const i = servers.indexOf(running);
    if (i !== -1) servers.splice(i, 1);
    await running.server.app.close();
  }
}

/** The bare column of one language; a toolchain that fails there is noted in the row, not fatal. */
async function bareOf(docker: Docker, c: HelloCase, label: string, cpus: number, notes: string[]) {
  try {
    const samples = await benchBare(docker, c, { label, cpus, ...BARE });
    return orNull(samples);
  } catch (err) {
    notes.push(err instanceof Error ? err.message : String(err));
    return null;
  }
}

/**
 * Phase (j). Servers it starts are pushed to `servers` (the caller closes them); the bare containers carry the
 * bench's label and are removed as each language finishes.
 */
export async function benchLanguages(
  docker: Docker,
  label: string,
  servers: RunningServer[],
  signal: AbortSignal,
): Promise<LanguagesResult> {
  const startedAt = new Date().toISOString();
  const cpus = loadConfig({}).SANDBOX_CPUS;
  // BENCH_LANGUAGES=python,javascript: a part of the table, while developing (the whole table is the default).
  const only = (process.env.BENCH_LANGUAGES ?? '').split(',').filter(Boolean);
  const wanted = only.length > 0 ? TABLE_LANGUAGES.filter((l) => only.includes(l)) : TABLE_LANGUAGES;
  const { ready, missing } = await withImages(docker, await loadHelloCases(wanted));
  // An empty LANGUAGES would enable every runtime under runtimes/.
  if (ready.length === 0) throw new Error(`(j): no image for any of ${missing.join(', ')}`);
  const failures = new RunFailures(MAX_FAILED_RUNS);
  const languages = ready.map((c) => c.language).join(',');
  // Two passes: the bare and runc columns with only the two runc servers up, then the gVisor column with only
  // the gVisor server up. Idle gVisor sandboxes are not free (each Sentry keeps timers), and 20 of them beside
  // the runc columns took CPU from them on 2 cores.
  const runc = await startRuncServers(docker, languages, servers);
  const rows: LanguageRow[] = [];
  for (const c of ready) {
    if (signal.aborted) break;
    const notes: string[] = [];
    progress(`(j) ${c.language}: bare command in a running container, then the runc columns ...`);
    const bare = await bareOf(docker, c, label, cpus, notes);
    const { latency, wall, compile } = await sampleWarm(docker, runc, c, failures, signal);
    const row: LanguageRow = {
      language: c.language,
      prestart: c.manifest.prestart !== null,
      bare,
      warm: { on: orNull(latency.on), off: orNull(latency.off), gvisor: null },
      programWall: { on: orNull(wall.on), off: orNull(wall.off) },
      compileWall: { on: orNull(compile.on), off: orNull(compile.off) },
      notes,
    };
    rows.push(row);
    progress(
      `(j) ${c.language}: bare ${bare?.medianMs ?? 'n/a'} ms, on ${row.warm.on?.medianMs ?? 'n/a'}, ` +
        `off ${row.warm.off?.medianMs ?? 'n/a'} (medians)`,
    );
  }
  await closeServers(runc, servers);
  progress('(j) starting a gVisor (runsc) server, RUN_PRESTART=true ...');
  const g = await startGvisor(docker, languages, servers);
  const gvisorNotMeasured = typeof g === 'string' ? g : null;
  if (typeof g === 'string') progress(`(j) gVisor column not measured: ${g}`);
  else {
    const list: Server[] = [{ column: 'gvisor', running: g }];
    for (const row of rows) {
      const c = ready.find((x) => x.language === row.language);
      if (!c || signal.aborted) continue;
      const { latency } = await sampleWarm(docker, list, c, failures, signal);
      row.warm.gvisor = orNull(latency.gvisor);
      progress(`(j) ${c.language}: gVisor ${row.warm.gvisor?.medianMs ?? 'n/a'} ms (median)`);
    }
  }
  for (const language of missing) {
    rows.push({
      language,
      prestart: false,
      bare: null,
      warm: { on: null, off: null, gvisor: null },
      programWall: { on: null, off: null },
      compileWall: { on: null, off: null },
      notes: [`no image ${imageNameFor(language)}`],
    });
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    poolSize: POOL_SIZE,
    sandboxCpus: cpus,
    gvisorNotMeasured,
    rows,
    failedRuns: { count: failures.count, examples: failures.examples },
  };
}
