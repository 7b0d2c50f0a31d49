// Checks the pre-started tsc against plain starts, case by case (README.md beside this file). Runs with node in
// the typescript image:
//   node harness.mjs [--runtime DIR] [--work DIR] [--bench N] CASE_DIR_OR_FOLDER_OF_THEM...
// For each case folder (program files plus case.json) it first does what a plain request does: the files in the
// emptied work dir (default /work), runtime.json's compile command with them, the files under /tmp/out, and after
// a compile that succeeded its run command (`node --enable-source-maps /tmp/out/STEM.js ARGS`) with the case's
// stdin. Then the same with the launcher, as the agent does it: /tmp/out removed, the tsc launcher started in the
// empty work dir with a unix socket on fd 3, its 'R' awaited (the harness checks that the work dir and /tmp/out
// are still empty then), the files written, the compile's argv sent to the launcher (its stdin is at end of file
// at once, as a compile's is), and after it succeeded the run, started plainly (the agent pre-starts a request's
// first stage only) or handed to a node launcher if runtime.json's prestart names one. Compile stdout, stderr and
// exit code, the emitted files (paths and bytes) and the run's stdout, stderr, exit code and signal must be the
// same both ways; case.json's expectations (what a plain start gives) are checked against the plain start, and a
// case.json "knownDifference" (a reason) lets the two starts differ.
// --bench N: N more runs of each case each way; prints the medians of spawn (plain) or hand-over (launcher) to the
// first output byte and to the exit, for the compile and for the run.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = '/tmp/out';
// The launchers as runtime.json's `prestart` names them (a list, or one object), else these. The agent pre-starts
// only a request's first stage, so the run (node) starts plainly unless a node launcher is named.
const DEFAULT_PRESTART = {
  tsc: null, // filled from runtime.json's compile options: node tsc-prestart.cjs OPTIONS...
  node: null,
};
// The service's environment of every stage (server/src/runs/run-plan.ts BASE_ENV; runtime.json's env is empty).
const ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/work',
  LANG: 'C.UTF-8',
  TMPDIR: '/tmp',
};
// Makes fd 2 a copy of fd 1 before exec: the same wrapper for both starts of a "mergeStderr" case's run.
const MERGE = ['/usr/bin/perl', '-e', 'open(STDERR, ">&", \\*STDOUT) or die; exec {$ARGV[0]} @ARGV or die'];

function parseArgs(argv) {
  const options = { runtime: resolve(HERE, '..'), work: '/work', bench: 0, cases: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runtime') options.runtime = resolve(argv[++i]);
    else if (argv[i] === '--work') options.work = resolve(argv[++i]);
    else if (argv[i] === '--bench') options.bench = Number(argv[++i]);
    else options.cases.push(...caseDirs(resolve(argv[i])));
  }
  if (options.cases.length === 0) {
    console.error('usage: node harness.mjs [--runtime DIR] [--work DIR] [--bench N] CASE_DIR_OR_FOLDER_OF_THEM...');
    process.exit(2);
  }
  return options;
}

/** runtime.json's compile and run templates and the two launchers. */
function loadRuntime(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'runtime.json'), 'utf8'));
  const launchers = { ...DEFAULT_PRESTART };
  const filesAt = manifest.compile.indexOf('{files:.ts}');
  launchers.tsc = ['node', '/usr/local/lib/coderunner/tsc-prestart.cjs', ...manifest.compile.slice(1, filesAt)];
  for (const p of [manifest.prestart ?? []].flat()) {
    if (p.replaces[0] === 'tsc') launchers.tsc = p.command;
    if (p.replaces[0] === 'node') launchers.node = p.command;
  }
  return { compile: manifest.compile, run: manifest.run, launchers };
}

/** A case folder, or a folder of them (sorted). */
function caseDirs(dir) {
  if (specFile(dir)) return [dir];
  return readdirSync(dir)
    .filter((name) => specFile(join(dir, name)))
    .sort()
    .map((name) => join(dir, name));
}

/** case.json, or expected.json of a conformance test (runtimes/typescript/tests/: only compared both ways). */
function specFile(dir) {
  return ['case.json', 'expected.json'].map((n) => join(dir, n)).find((f) => existsSync(f));
}

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function emptyDir(dir) {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
}

function copyCase(c, work) {
  for (const name of c.files) {
    mkdirSync(dirname(join(work, name)), { recursive: true });
    cpSync(join(c.dir, name), join(work, name));
  }
}

/** The files under /tmp/out: path, size and SHA-256 of each, one line each, sorted. */
function outputs() {
  if (!existsSync(OUT_DIR)) return '(no /tmp/out)\n';
  return listFiles(OUT_DIR)
    .sort()
    .map((f) => {
      const bytes = readFileSync(f);
      return `${relative(OUT_DIR, f)} ${bytes.length} ${createHash('sha256').update(bytes).digest('hex')}\n`;
    })
    .join('');
}

/** The commands of a case, as the server expands runtime.json's templates (command-template.ts). */
function commandsOf(rt, c) {
  const stem = c.entry.replace(/\.[^./]*$/, '');
  const compile = c.tscArgs
    ? ['tsc', ...c.tscArgs]
    : rt.compile.flatMap((a) => (a === '{files:.ts}' ? c.files.filter((f) => f.endsWith('.ts')) : [a]));
  const run = rt.run.flatMap((a) => (a === '{args}' ? c.args : [a.replaceAll('{entryStem}', stem)]));
  return { compile, run };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** A started process whose output is collected; `done` resolves at its end. */
function start(command, { cwd, fds }) {
  const child = spawn(command[0], command.slice(1), {
    cwd,
    env: ENV,
    stdio: fds === 4 ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
  });
  const r = { child, out: [], err: [], firstByteAt: null, exitAt: null, from: now(), spawnedAt: now() };
  const onData = (sink) => (chunk) => {
    r.firstByteAt ??= now();
    sink.push(chunk);
  };
  child.stdout.on('data', onData(r.out));
  child.stderr.on('data', onData(r.err));
  child.stdin.on('error', () => {}); // EPIPE when the program does not read its stdin
  r.done = new Promise((resolveDone) => {
    child.on('error', (e) => {
      r.err.push(Buffer.from(`[harness: ${e.message}]`));
      resolveDone();
    });
    child.on('exit', () => {
      r.exitAt = now();
    });
    child.on('close', (code, signal) => {
      Object.assign(r, { code, signal, stdout: Buffer.concat(r.out), stderr: Buffer.concat(r.err) });
      resolveDone();
    });
  });
  return r;
}

/** Resolves when a launcher said 'R' on fd 3 (rejects if it ended or said anything else). */
function ready(r) {
  return new Promise((resolveReady, rejectReady) => {
    const sock = r.child.stdio[3];
    sock.on('error', () => {});
    const notReady = () => rejectReady(new Error(`a launcher ended without saying R: ${Buffer.concat(r.err)}`));
    r.child.on('exit', notReady);
    sock.once('data', (chunk) => {
      r.child.off('exit', notReady);
      r.readyAt = now();
      if (chunk.toString('latin1') === 'R') resolveReady();
      else rejectReady(new Error(`a launcher said ${JSON.stringify(chunk.toString('latin1'))}, not R`));
    });
  });
}

function handOver(r, argv, stdin) {
  r.from = now();
  r.child.stdio[3].end(Buffer.from(argv.map((a) => `${a}\0`).join('')));
  r.child.stdin.end(stdin);
}

function timed(r, timeoutMs) {
  const timer = setTimeout(() => r.child.kill('SIGKILL'), timeoutMs);
  return r.done.then(() => {
    clearTimeout(timer);
    return {
      stdout: r.stdout ?? Buffer.alloc(0),
      stderr: r.stderr ?? Buffer.alloc(0),
      code: r.code,
      signal: r.signal,
      toFirstByte: r.firstByteAt === null ? null : r.firstByteAt - r.from,
      toExit: r.exitAt - r.from,
      toReady: r.readyAt === undefined ? null : r.readyAt - r.spawnedAt,
    };
  });
}

async function plainRun(rt, c, work) {
  emptyDir(work);
  rmSync(OUT_DIR, { recursive: true, force: true });
  copyCase(c, work);
  const { compile, run } = commandsOf(rt, c);
  const cr = start(compile, { cwd: work, fds: 3 });
  cr.child.stdin.end();
  const result = { compile: await timed(cr, c.timeoutMs), outputs: outputs(), run: null };
  if (result.compile.code === 0 && c.expect.run !== null) {
    const rr = start(c.mergeStderr ? [...MERGE, ...run] : run, { cwd: work, fds: 3 });
    rr.child.stdin.end(c.stdin);
    result.run = await timed(rr, c.timeoutMs);
  }
  return result;
}

async function prestartRun(rt, c, work) {
  emptyDir(work);
  rmSync(OUT_DIR, { recursive: true, force: true });
  const { compile, run } = commandsOf(rt, c);
  const tsc = start(rt.launchers.tsc, { cwd: work, fds: 4 });
  const nodeLauncher = rt.launchers.node;
  const node = nodeLauncher && start(c.mergeStderr ? [...MERGE, ...nodeLauncher] : nodeLauncher, { cwd: work, fds: 4 });
  const problems = [];
  try {
    await Promise.all([ready(tsc), node && ready(node)]);
  } catch (e) {
    problems.push(`  ${e.message}`);
    tsc.child.kill('SIGKILL');
    node?.child.kill('SIGKILL');
  }
  // Nothing the warm-ups did may be left where the program (or the compile) could see it.
  if (readdirSync(work).length > 0) problems.push(`  the work dir is not empty at R: ${readdirSync(work)}`);
  if (existsSync(OUT_DIR)) problems.push(`  ${OUT_DIR} exists at R`);
  copyCase(c, work);
  handOver(tsc, compile, '');
  const result = { compile: await timed(tsc, c.timeoutMs), outputs: outputs(), run: null, problems };
  if (result.compile.code === 0 && c.expect.run !== null) {
    if (node) {
      handOver(node, run, c.stdin);
      result.run = await timed(node, c.timeoutMs);
    } else {
      const rr = start(c.mergeStderr ? [...MERGE, ...run] : run, { cwd: work, fds: 3 });
      rr.child.stdin.end(c.stdin);
      result.run = await timed(rr, c.timeoutMs);
    }
  } else if (node) {
    node.child.kill('SIGKILL');
    await node.done;
  }
  return result;
}

function loadCase(dir) {
  const file = specFile(dir);
  const conformance = file.endsWith('expected.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  // A conformance test's expectations are the server's (status, patterns); here only both starts must agree.
  const spec = conformance ? { entry: json.entry, args: json.args, stdin: json.stdin } : json;
  const names = listFiles(dir)
    .map((f) => relative(dir, f))
    .filter((n) => n !== 'case.json' && n !== 'expected.json')
    .sort();
  const order = spec.files ?? [];
  return {
    dir,
    name: dir.split('/').pop(),
    entry: spec.entry ?? 'main.ts',
    files: [...order.filter((n) => names.includes(n)), ...names.filter((n) => !order.includes(n))],
    conformance,
    tscArgs: spec.tscArgs,
    args: spec.args ?? [],
    stdin: spec.stdin ?? '',
    timeoutMs: spec.timeoutMs ?? 30000,
    mergeStderr: spec.mergeStderr === true,
    expect: spec,
  };
}

/** A short line diff: the common head and tail are left out, the differing middle is shown quoted. */
function diff(label, a, b, names = ['plain', 'prestart']) {
  const x = a.toString('utf8').split('\n');
  const y = b.toString('utf8').split('\n');
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  const room = Math.min(x.length, y.length) - head;
  while (tail < room && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const lines = [`  ${label} differs from line ${head + 1} (- ${names[0]}, + ${names[1]}):`];
  for (const l of x.slice(head, x.length - tail).slice(0, 20)) lines.push(`    - ${JSON.stringify(l)}`);
  for (const l of y.slice(head, y.length - tail).slice(0, 20)) lines.push(`    + ${JSON.stringify(l)}`);
  return lines.join('\n');
}

function compareStage(label, plain, pre) {
  const problems = [];
  if (!plain || !pre) {
    if (plain || pre) problems.push(`  ${label}: ran only ${plain ? 'plainly' : 'pre-started'}`);
    return problems;
  }
  if (!plain.stdout.equals(pre.stdout)) problems.push(diff(`${label} stdout`, plain.stdout, pre.stdout));
  if (!plain.stderr.equals(pre.stderr)) problems.push(diff(`${label} stderr`, plain.stderr, pre.stderr));
  if (plain.code !== pre.code || plain.signal !== pre.signal) {
    problems.push(`  ${label} exit: plain ${plain.code}/${plain.signal}, prestart ${pre.code}/${pre.signal}`);
  }
  return problems;
}

/** How the two starts differ. */
function compareStarts(plain, pre) {
  const problems = [...pre.problems, ...compareStage('compile', plain.compile, pre.compile)];
  if (plain.outputs !== pre.outputs) problems.push(diff('/tmp/out', plain.outputs, pre.outputs));
  return [...problems, ...compareStage('run', plain.run, pre.run)];
}

function checkStage(label, e, got) {
  const problems = [];
  if (!got) return [`  ${label}: did not run`];
  const out = got.stdout.toString('utf8');
  const err = got.stderr.toString('utf8');
  if (e.stdout !== undefined && out !== e.stdout) {
    problems.push(diff(`plain ${label} stdout`, Buffer.from(e.stdout), got.stdout, ['case.json', 'plain']));
  }
  if (e.stderr !== undefined && err !== e.stderr) {
    problems.push(diff(`plain ${label} stderr`, Buffer.from(e.stderr), got.stderr, ['case.json', 'plain']));
  }
  if (e.exitCode !== undefined && got.code !== e.exitCode) {
    problems.push(`  ${label} exit code: case.json ${e.exitCode}, plain ${got.code}/${got.signal}`);
  }
  if (e.signal !== undefined && got.signal !== e.signal) {
    problems.push(`  ${label} signal: case.json ${e.signal}, plain ${got.code}/${got.signal}`);
  }
  // tsc writes its diagnostics on stdout; the service shows a compile's stdout and stderr together.
  const where = label === 'compile' ? out + err : err;
  for (const part of [e.stderrIncludes ?? []].flat()) {
    if (!where.includes(part)) problems.push(`  plain ${label} output lacks ${JSON.stringify(part)}`);
  }
  return problems;
}

/** Where the plain start is not what case.json expects: so both starts being wrong alike is caught too. */
function checkExpectations(c, plain) {
  const e = c.expect;
  if (c.conformance) return [];
  const problems = e.compile ? checkStage('compile', e.compile, plain.compile) : [];
  if (e.run === null) {
    if (plain.run) problems.push('  case.json says nothing runs, but the run stage ran');
    if (!c.tscArgs && plain.compile.code === 0) problems.push('  case.json says the compile fails; it did not');
    return problems;
  }
  return [...problems, ...checkStage('run', e, plain.run)];
}

function median(xs) {
  const s = xs.filter((x) => x !== null && x !== undefined).sort((p, q) => p - q);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const rt = loadRuntime(options.runtime);
  let failed = 0;
  for (const dir of options.cases) {
    const c = loadCase(dir);
    const plain = await plainRun(rt, c, options.work);
    const pre = await prestartRun(rt, c, options.work);
    const differences = compareStarts(plain, pre);
    const expectations = checkExpectations(c, plain);
    const problems = [...differences, ...expectations];
    const exit = `compile ${plain.compile.code}${plain.run ? `, run ${plain.run.signal ?? plain.run.code}` : ''}`;
    const known = c.expect.knownDifference;
    const verdict = problems.length === 0 ? 'pass' : known && expectations.length === 0 ? 'known' : 'FAIL';
    console.log(`${verdict.padEnd(5)} ${c.name}  (${exit})${verdict === 'known' ? `: ${known}` : ''}`);
    if (problems.length) {
      if (verdict === 'FAIL') failed++;
      console.log(problems.join('\n'));
    }
    if (options.bench > 0) {
      const runs = { plain: [], prestart: [] };
      for (let i = 0; i < options.bench; i++) {
        runs.plain.push(await plainRun(rt, c, options.work));
        runs.prestart.push(await prestartRun(rt, c, options.work));
      }
      for (const [mode, rs] of Object.entries(runs)) {
        const from = mode === 'plain' ? 'spawn' : 'hand-over';
        const stage = (name) => {
          const s = rs.map((r) => r[name]).filter(Boolean);
          if (s.length === 0) return '';
          return `${name} ${median(s.map((r) => r.toFirstByte)).toFixed(1)} / ${median(s.map((r) => r.toExit)).toFixed(1)} ms`;
        };
        const ready = mode === 'plain' ? '' : `; spawn -> R (tsc) ${median(rs.map((r) => r.compile.toReady)).toFixed(0)} ms`;
        console.log(
          `  ${mode.padEnd(8)} ${from} -> first byte / exit: ${[stage('compile'), stage('run')].filter(Boolean).join(', ')}` +
            ` (median of ${rs.length})${ready}`,
        );
      }
    }
  }
  emptyDir(options.work);
  rmSync(OUT_DIR, { recursive: true, force: true });
  console.log(`${options.cases.length - failed}/${options.cases.length} cases pass`);
  process.exit(failed ? 1 : 0);
}

await main();
