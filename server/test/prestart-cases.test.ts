/**
 * Pre-started runtimes behave as plain starts do. For every runtime whose runtime.json declares a `prestart`, two
 * real servers run side by side, one with RUN_PRESTART on and one with it off, and every case of
 * runtimes/<language>/prestart-cases/ (the semantics a pre-start must keep) and of runtimes/<language>/tests/
 * (the conformance programs) goes to both: the replies must agree (status, compile and run output, exit code,
 * signal; the runner uid, which each container has its own, and times in ms aside), and a prestart case's own
 * expectations (case.json) must hold for each. A case.json `knownDifference`
 * (why) lets the two differ, as the launcher's README lists. The agents' logs show that the "on" server handed
 * its runs to the pre-started process and the "off" server never had one, so neither half can pass by accident.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type CodeRunnerServer } from '../src/create-server.js';
import { runtimeManifestSchema } from '../src/runtimes/runtime-manifest.js';
import { RUNNER_UIDS } from '../src/sandbox/runner-uids.js';
import { postRun, startTestServer } from './helpers.js';

const GVISOR = (process.env.SANDBOX_RUNTIME ?? 'runc') === 'runsc';

interface StageExpectation {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  stderrIncludes?: string | string[];
}

interface PrestartCase {
  entry: string;
  args?: string[];
  stdin?: string;
  /** A compiled language's: the request's compileArgs, the files in that order, the compile's expectations. */
  compileArgs?: string[];
  /** Options before the entry (the request's interpreterArgs). */
  interpreterArgs?: string[];
  /** The program's environment as the harness sets it; a request cannot. */
  env?: Record<string, string>;
  files?: string[];
  compile?: StageExpectation;
  /** null: the compile fails and nothing runs. */
  run?: null;
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  signal?: string;
  stderrIncludes?: string | string[];
  /** The launcher harness runs it with stderr on stdout; through the service the two stay apart. */
  mergeStderr?: boolean;
  knownDifference?: string;
}

interface Case {
  language: string;
  kind: 'prestart-cases' | 'tests';
  name: string;
  dir: string;
  spec: PrestartCase;
}

const runtimesDir = join(REPO_ROOT, 'runtimes');
const enabled = (process.env.LANGUAGES ?? '').split(',').filter(Boolean);
const languages = readdirSync(runtimesDir)
  .filter((l) => statSync(join(runtimesDir, l)).isDirectory())
  .filter((l) => enabled.length === 0 || enabled.includes(l))
  .filter(
    (l) =>
      runtimeManifestSchema.parse(JSON.parse(readFileSync(join(runtimesDir, l, 'runtime.json'), 'utf8')))
        .prestart !== null,
  )
  .sort();

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function casesOf(language: string, kind: Case['kind']): Case[] {
  const dir = join(runtimesDir, language, kind);
  if (!existsSync(dir)) return [];
  const specFile = kind === 'tests' ? 'expected.json' : 'case.json';
  return readdirSync(dir)
    .sort()
    .map((name) => ({
      language,
      kind,
      name,
      dir: join(dir, name),
      spec: JSON.parse(readFileSync(join(dir, name, specFile), 'utf8')) as PrestartCase,
    }));
}

/**
 * The cases the service can run: a request's entry is one of its files, by name. A prestart case whose entry is
 * not (an option, a missing file, a directory, a name without its extension, "./sub/../main.py") checks the launcher's own argv handling, which only its
 * harness can reach (runtimes/<language>/prestart/harness.*).
 */
const cases = languages
  .flatMap((l) => [...casesOf(l, 'prestart-cases'), ...casesOf(l, 'tests')])
  .filter((c) => listFiles(c.dir).some((f) => relative(c.dir, f) === c.spec.entry))
  // A request cannot set the program's environment (LUA_INIT, PERL5LIB): such cases are the harness's alone.
  .filter((c) => c.spec.env === undefined);

/** Every agent log line, by server. */
const logs = { on: [] as string[], off: [] as string[] };
let on: CodeRunnerServer;
let off: CodeRunnerServer;

beforeAll(async () => {
  const env = { LANGUAGES: languages.join(','), POOL_SIZE: '2' };
  [on, off] = await Promise.all([
    startTestServer({ ...env, RUN_PRESTART: 'true' }, { onAgentLog: (_id, line) => logs.on.push(line) }),
    startTestServer({ ...env, RUN_PRESTART: 'false' }, { onAgentLog: (_id, line) => logs.off.push(line) }),
  ]);
}, 180000);

afterAll(async () => {
  await Promise.all([on?.app.close(), off?.app.close()]);
});

/** The server's count (GET /metrics) of first stages by how they started, over every language. */
async function firstStages(server: CodeRunnerServer): Promise<{ prestarted: number; plain: number }> {
  const res = await server.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  const count = { prestarted: 0, plain: 0 };
  for (const m of res.body.matchAll(
    /^coderunner_first_stages_total\{[^}]*start="(prestarted|plain)"[^}]*\} (\d+)$/gm,
  )) {
    count[m[1] as 'prestarted' | 'plain'] += Number(m[2]);
  }
  return count;
}

interface Reply {
  status: string;
  compile: { stdout: string; stderr: string; exitCode: number | null } | null;
  run: { stdout: string; stderr: string; exitCode: number | null; signal: string | null } | null;
}

async function post(server: CodeRunnerServer, c: Case): Promise<Reply> {
  const skip = new Set([c.kind === 'tests' ? 'expected.json' : 'case.json']);
  // Sorted, or in the case's order: a compiler reports its diagnostics in the order of the files it is given.
  const names = listFiles(c.dir)
    .map((f) => relative(c.dir, f))
    .filter((name) => !skip.has(name))
    .sort();
  const order = c.spec.files ?? [];
  const files = [...order.filter((n) => names.includes(n)), ...names.filter((n) => !order.includes(n))].map(
    (name) => {
      const bytes = readFileSync(join(c.dir, name));
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
      try {
        return { name, content: text.decode(bytes), toBeExec: name === c.spec.entry };
      } catch {
        return {
          name,
          content: bytes.toString('base64'),
          encoding: 'base64' as const,
          toBeExec: name === c.spec.entry,
        };
      }
    },
  );
  const res = await postRun(server.app, {
    language: c.language,
    files,
    ...(c.spec.stdin !== undefined ? { stdin: c.spec.stdin } : {}),
    ...(c.spec.args ? { args: c.spec.args } : {}),
    ...(c.spec.compileArgs ? { compileArgs: c.spec.compileArgs } : {}),
    ...(c.spec.interpreterArgs ? { interpreterArgs: c.spec.interpreterArgs } : {}),
    // Cases write more than the default output cap (a plain start is not capped).
    limits: { outputKb: 1024, ...(GVISOR ? { timeoutMs: 20000 } : {}) },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Reply>();
}

function isRunnerUid(n: string): boolean {
  return Number(n) >= RUNNER_UIDS.first && Number(n) < RUNNER_UIDS.first + RUNNER_UIDS.count;
}

/**
 * Output with what differs between any two containers or runs made alike: the runner uid (each container has
 * its own, runner-uids.ts) and times in milliseconds (JUnit's "finished after 75 ms").
 */
function normal(text: string): string {
  return text.replace(/\b\d+\b/g, (n) => (isRunnerUid(n) ? 'UID' : n)).replace(/\b\d+ ms\b/g, 'N ms');
}

/** What the two starts must agree on. */
function visible(r: Reply) {
  return {
    status: r.status,
    compile: r.compile && {
      stdout: normal(r.compile.stdout),
      stderr: normal(r.compile.stderr),
      exitCode: r.compile.exitCode,
    },
    run: r.run && {
      stdout: normal(r.run.stdout),
      stderr: normal(r.run.stderr),
      exitCode: r.run.exitCode,
      signal: r.run.signal,
    },
  };
}

function checkStage(
  e: StageExpectation,
  got: { stdout: string; stderr: string; exitCode: number | null },
  label: string,
  merged: boolean,
): void {
  // The harnesses run as uid 10001; through the service each container has a runner uid of its own.
  const asHarness = (text: string) => text.replace(/\b\d+\b/g, (n) => (isRunnerUid(n) ? '10001' : n));
  if (!merged) {
    if (e.stdout !== undefined) expect(asHarness(got.stdout), label).toBe(e.stdout);
    if (e.stderr !== undefined) expect(asHarness(got.stderr), label).toBe(e.stderr);
  }
  if (e.exitCode !== undefined) expect(got.exitCode, label).toBe(e.exitCode);
  // A compile's diagnostics may be on either stream (javac: stderr, tsc: stdout), so its includes look at both.
  const out = merged || label.endsWith('compile') ? got.stdout + got.stderr : got.stderr;
  for (const part of [e.stderrIncludes ?? []].flat()) expect(out, label).toContain(part);
}

/** A prestart case's own expectations (what a plain start gives), for one reply. */
function checkExpected(c: Case, r: Reply, label: string): void {
  if (c.kind !== 'prestart-cases') return;
  const e = c.spec;
  const detail = `${label}: ${JSON.stringify(r).slice(0, 2000)}`;
  if (e.compile) {
    expect(r.compile, detail).not.toBeNull();
    if (r.compile) checkStage(e.compile, r.compile, `${label}, compile`, false);
  }
  if (e.run === null) {
    expect(r.run, detail).toBeNull();
    return;
  }
  expect(r.run, detail).not.toBeNull();
  if (!r.run) return;
  checkStage(e, r.run, label, e.mergeStderr === true);
  if (e.signal !== undefined) expect(r.run.signal, label).toBe(e.signal);
}

describe.runIf(languages.length > 0)('pre-started runtimes against plain starts', () => {
  it.each(cases.map((c) => [`${c.language}/${c.kind}/${c.name}`, c] as const))(
    '%s',
    async (_label, c) => {
      // One after the other: timing-sensitive cases (timers against setImmediate) must not share the CPU.
      const pre = await post(on, c);
      const plain = await post(off, c);
      // A known difference is one from what a plain start gives: only the plain start must give it.
      if (c.spec.knownDifference === undefined) checkExpected(c, pre, 'RUN_PRESTART on');
      checkExpected(c, plain, 'RUN_PRESTART off');
      expect(pre.status, JSON.stringify(pre)).not.toBe('internal_error');
      if (c.spec.knownDifference === undefined) expect(visible(pre)).toEqual(visible(plain));
    },
    60000,
  );

  it('handed the runs to the pre-started process when on, and had none when off', async () => {
    // Every run's first stage reports in its exit frame whether the pre-started process ran it, and the metrics
    // count them (coderunner_first_stages_total): exact, as the frames travel with the reply. A run with
    // interpreter options of its own starts plainly (run-plan: the launchers would only exec them).
    const plainly = cases.filter((c) => (c.spec.interpreterArgs?.length ?? 0) > 0).length;
    // On failure: what the agents said besides starting and handing over (a launcher given up, and why).
    const other = logs.on.filter((l) => !/handed to the pre-started|pre-started .* as pid/.test(l));
    expect(await firstStages(on), other.join('\n')).toEqual({
      prestarted: cases.length - plainly,
      plain: plainly,
    });
    expect(await firstStages(off)).toEqual({ prestarted: 0, plain: cases.length });
    expect(logs.on.filter((l) => l.includes('runs start it plainly'))).toEqual([]);
    expect(logs.off.filter((l) => l.includes('pre-started'))).toEqual([]);
  });
});
