/**
 * Runs every runtime's conformance programs (runtimes/<language>/tests/<case>/) through the real HTTP API.
 * A case is a folder: the project's files plus expected.json, which names the entry file, optional stdin,
 * args and compileArgs, and what must come back (status, exact stdout or a pattern, a stderr pattern, a
 * compiler-output pattern, the exit code). A compile_error must never reach the run stage.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type CodeRunnerServer } from '../src/create-server.js';
import { postRun, startTestServer } from './helpers.js';

const GVISOR = (process.env.SANDBOX_RUNTIME ?? 'runc') === 'runsc';
const GVISOR_TIMEOUT_MS = 20000;
/** Under gVisor a compile may take what a request may ask for at most (COMPILE_MAX_TIMEOUT_MS's default). */
const GVISOR_COMPILE_TIMEOUT_MS = 60000;

interface Expected {
  entry: string;
  stdin?: string;
  args?: string[];
  /** The request's compileArgs (e.g. `-H`, to see which headers a compile read). */
  compileArgs?: string[];
  status: string;
  stdout?: string;
  stdoutMatch?: string;
  stderrMatch?: string;
  /** Matched against the compile stage's stdout + stderr. */
  compileOutputMatch?: string;
  exitCode?: number | null;
  /** The signal that ended the run stage, e.g. SIGSEGV. */
  signal?: string;
}

const runtimesDir = join(REPO_ROOT, 'runtimes');
const enabled = (process.env.LANGUAGES ?? '').split(',').filter(Boolean);
const languages = readdirSync(runtimesDir)
  .filter((l) => statSync(join(runtimesDir, l)).isDirectory())
  .filter((l) => enabled.length === 0 || enabled.includes(l))
  .sort();

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const cases = languages.flatMap((language) => {
  const testsDir = join(runtimesDir, language, 'tests');
  return readdirSync(testsDir)
    .sort()
    .map((name) => ({ language, name, dir: join(testsDir, name) }));
});

let server: CodeRunnerServer;

beforeAll(async () => {
  server = await startTestServer({ LANGUAGES: languages.join(','), POOL_SIZE: '1' });
});

afterAll(async () => {
  await server.app.close();
});

describe('runtime conformance programs', () => {
  it('covers every runtime with at least hello, stdin-echo and runtime-error', () => {
    for (const language of languages) {
      const names = cases.filter((c) => c.language === language).map((c) => c.name);
      expect(names, language).toEqual(expect.arrayContaining(['hello', 'stdin-echo', 'runtime-error']));
    }
  });

  it.each(cases.map((c) => [`${c.language}/${c.name}`, c] as const))('%s', async (_label, c) => {
    const expected = JSON.parse(readFileSync(join(c.dir, 'expected.json'), 'utf8')) as Expected;
    const files = listFiles(c.dir)
      .filter((f) => relative(c.dir, f) !== 'expected.json')
      .map((f) => {
        const name = relative(c.dir, f);
        const bytes = readFileSync(f);
        // Binary inputs (a database file) go as base64; text as it is.
        const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
        let content: { content: string; encoding?: 'base64' };
        try {
          content = { content: text.decode(bytes) };
        } catch {
          content = { content: bytes.toString('base64'), encoding: 'base64' };
        }
        return { name, ...content, toBeExec: name === expected.entry };
      });
    const res = await postRun(server.app, {
      language: c.language,
      files,
      ...(expected.stdin !== undefined ? { stdin: expected.stdin } : {}),
      ...(expected.args ? { args: expected.args } : {}),
      ...(expected.compileArgs ? { compileArgs: expected.compileArgs } : {}),
      // Under gVisor every system call goes through the Sentry and our seccomp filter: the BEAM (Erlang, Elixir)
      // needs more than the default 5 s there just to start, and a compiler (OCaml's) came within reach of its
      // 10 s on a busy CI machine. The cases check behaviour, not speed.
      ...(GVISOR
        ? { limits: { timeoutMs: GVISOR_TIMEOUT_MS, compile: { timeoutMs: GVISOR_COMPILE_TIMEOUT_MS } } }
        : {}),
    });
    expect(res.statusCode, res.body).toBe(200);
    const result = res.json();
    expect(result.status, JSON.stringify(result, null, 1)).toBe(expected.status);
    if (expected.status === 'compile_error') expect(result.run).toBeNull();
    if (expected.compileOutputMatch !== undefined) {
      expect(`${result.compile?.stdout ?? ''}${result.compile?.stderr ?? ''}`).toMatch(
        new RegExp(expected.compileOutputMatch),
      );
    }
    if (expected.stdout !== undefined) expect(result.run.stdout).toBe(expected.stdout);
    if (expected.stdoutMatch !== undefined)
      expect(result.run.stdout).toMatch(new RegExp(expected.stdoutMatch));
    if (expected.stderrMatch !== undefined)
      expect(result.run.stderr).toMatch(new RegExp(expected.stderrMatch));
    if (expected.exitCode !== undefined) expect(result.run.exitCode).toBe(expected.exitCode);
    if (expected.signal !== undefined) expect(result.run.signal).toBe(expected.signal);
  });
});
