// Checks the pre-started node against a plain start, case by case (README.md beside this file). Runs with node in
// the javascript image:
//   node harness.mjs [--work DIR] [--bench N] CASE_DIR_OR_FOLDER_OF_THEM...
// For each case folder (program files plus case.json) it runs the plain `node ENTRY ARGS...` in a fresh copy of
// the files in the work dir (default /work, which must be writable and is emptied), then does what the agent does
// with the launcher: starts it in the emptied work dir with a unix socket on fd 3, waits for 'R', writes the files,
// sends the argv as NUL-terminated strings, closes its end and feeds stdin. stdout, stderr, exit code and signal
// must be the same bytes; case.json's expectations (what a plain start prints) are checked against the plain run.
// A case.json "knownDifference" (a reason) marks a case whose two starts are known to differ (README.md).
// --bench N: runs each case N more times each way and prints the medians of hand-over (or spawn) to first output
// byte and to exit.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const LAUNCHER = ['/usr/bin/perl', '/usr/local/lib/coderunner/node-prestart.pl'];
// Makes fd 2 a copy of fd 1 before exec: the same wrapper for both starts of a "mergeStderr" case.
const MERGE = ['/usr/bin/perl', '-e', 'open(STDERR, ">&", \\*STDOUT) or die; exec {$ARGV[0]} @ARGV or die'];

function parseArgs(argv) {
  const options = { work: '/work', bench: 0, cases: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--work') options.work = resolve(argv[++i]);
    else if (argv[i] === '--bench') options.bench = Number(argv[++i]);
    else options.cases.push(...caseDirs(resolve(argv[i])));
  }
  if (options.cases.length === 0) {
    console.error('usage: node harness.mjs [--work DIR] [--bench N] CASE_DIR_OR_FOLDER_OF_THEM...');
    process.exit(2);
  }
  return options;
}

/** A case folder, or a folder of them (sorted). */
function caseDirs(dir) {
  if (existsSync(join(dir, 'case.json'))) return [dir];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'case.json')))
    .sort()
    .map((name) => join(dir, name));
}

function emptyDir(dir) {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
}

function copyCase(caseDir, work) {
  for (const name of readdirSync(caseDir)) {
    if (name !== 'case.json') cpSync(join(caseDir, name), join(work, name), { recursive: true });
  }
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Runs one start and collects its output. start(child) runs once the process is spawned and resolves to the
 * moment timing starts from (spawn for a plain start, hand-over for the launcher); stdin goes in after it.
 */
function runOnce({ command, args, cwd, stdin, fds, timeoutMs, start }) {
  return new Promise((resolveRun, rejectRun) => {
    const spawnedAt = now();
    const child = spawn(command[0], [...command.slice(1), ...args], {
      cwd,
      stdio: fds === 4 ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    let firstByteAt = null;
    let exitAt = null;
    let from = spawnedAt;
    let started = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const onData = (sink) => (chunk) => {
      firstByteAt ??= now();
      sink.push(chunk);
    };
    child.stdout.on('data', onData(out));
    child.stderr.on('data', onData(err));
    child.stdin.on('error', () => {}); // EPIPE when the program does not read its stdin
    child.on('error', (e) => {
      clearTimeout(timer);
      rejectRun(e);
    });
    child.on('exit', () => {
      exitAt = now();
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        code,
        signal,
        toFirstByte: firstByteAt === null ? null : firstByteAt - from,
        toExit: exitAt - from,
        ready: started,
        toReady: from - spawnedAt,
      });
    });
    start(child).then(
      (t) => {
        from = t;
        started = true;
        child.stdin.end(stdin);
      },
      (e) => {
        child.kill('SIGKILL');
        err.push(Buffer.from(`\n[harness: ${e.message}]\n`));
      },
    );
  });
}

function plainRun(c, work) {
  emptyDir(work);
  copyCase(c.dir, work);
  return runOnce({
    command: c.mergeStderr ? [...MERGE, 'node'] : ['node'],
    args: [c.entry, ...c.args],
    cwd: work,
    stdin: c.stdin,
    fds: 3,
    timeoutMs: c.timeoutMs,
    start: async () => now(),
  });
}

function prestartRun(c, work) {
  emptyDir(work);
  return runOnce({
    command: c.mergeStderr ? [...MERGE, ...LAUNCHER] : LAUNCHER,
    args: [],
    cwd: work,
    stdin: c.stdin,
    fds: 4,
    timeoutMs: c.timeoutMs,
    start: (child) =>
      new Promise((resolveStart, rejectStart) => {
        const sock = child.stdio[3];
        sock.on('error', () => {});
        const notReady = () => rejectStart(new Error('the launcher ended without saying R'));
        child.on('exit', notReady);
        sock.once('data', (chunk) => {
          child.off('exit', notReady);
          if (chunk.toString('latin1') !== 'R') {
            rejectStart(new Error(`the launcher said ${JSON.stringify(chunk.toString('latin1'))}, not R`));
            return;
          }
          // The request arrives: its files, then the hand-over.
          copyCase(c.dir, work);
          const message = Buffer.from(['node', c.entry, ...c.args].map((a) => `${a}\0`).join(''));
          const t = now();
          sock.end(message);
          resolveStart(t);
        });
      }),
  });
}

function loadCase(dir) {
  const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
  return {
    dir,
    name: dir.split('/').pop(),
    entry: spec.entry ?? 'main.js',
    args: spec.args ?? [],
    stdin: spec.stdin ?? '',
    timeoutMs: spec.timeoutMs ?? 20000,
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

/** How the two starts differ. */
function compareStarts(plain, pre) {
  const problems = [];
  if (!pre.ready) {
    problems.push(`  the launcher never became ready; its stderr: ${JSON.stringify(pre.stderr.toString())}`);
  }
  if (!plain.stdout.equals(pre.stdout)) problems.push(diff('stdout', plain.stdout, pre.stdout));
  if (!plain.stderr.equals(pre.stderr)) problems.push(diff('stderr', plain.stderr, pre.stderr));
  if (plain.code !== pre.code || plain.signal !== pre.signal) {
    problems.push(`  exit: plain ${plain.code}/${plain.signal}, prestart ${pre.code}/${pre.signal}`);
  }
  return problems;
}

/** Where the plain start is not what case.json expects: so both starts being wrong alike is caught too. */
function checkExpectations(c, plain) {
  const problems = [];
  const e = c.expect;
  const plainStdout = plain.stdout.toString('utf8');
  const plainStderr = plain.stderr.toString('utf8');
  if (e.stdout !== undefined && plainStdout !== e.stdout) {
    problems.push(diff('plain stdout', Buffer.from(e.stdout), plain.stdout, ['case.json', 'plain']));
  }
  if (e.stderr !== undefined && plainStderr !== e.stderr) {
    problems.push(diff('plain stderr', Buffer.from(e.stderr), plain.stderr, ['case.json', 'plain']));
  }
  if (e.exitCode !== undefined && plain.code !== e.exitCode) {
    problems.push(`  exit code: case.json ${e.exitCode}, plain ${plain.code}/${plain.signal}`);
  }
  if (e.signal !== undefined && plain.signal !== e.signal) {
    problems.push(`  signal: case.json ${e.signal}, plain ${plain.code}/${plain.signal}`);
  }
  for (const part of [e.stderrIncludes ?? []].flat()) {
    if (!plainStderr.includes(part)) problems.push(`  plain stderr lacks ${JSON.stringify(part)}`);
  }
  return problems;
}

function median(xs) {
  const s = xs.filter((x) => x !== null).sort((p, q) => p - q);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let failed = 0;
  for (const dir of options.cases) {
    const c = loadCase(dir);
    const plain = await plainRun(c, options.work);
    const pre = await prestartRun(c, options.work);
    const differences = compareStarts(plain, pre);
    const expectations = checkExpectations(c, plain);
    const problems = [...differences, ...expectations];
    const exit = plain.signal ?? plain.code;
    // A case.json "knownDifference" (why) lets the two starts differ: reported, not counted.
    const known = c.expect.knownDifference;
    const verdict = problems.length === 0 ? 'pass' : known && expectations.length === 0 ? 'known' : 'FAIL';
    console.log(`${verdict.padEnd(5)} ${c.name}  (exit ${exit})${verdict === 'known' ? `: ${known}` : ''}`);
    if (problems.length) {
      if (verdict === 'FAIL') failed++;
      console.log(problems.join('\n'));
    }
    if (options.bench > 0) {
      const runs = { plain: [], prestart: [] };
      for (let i = 0; i < options.bench; i++) {
        runs.plain.push(await plainRun(c, options.work));
        runs.prestart.push(await prestartRun(c, options.work));
      }
      for (const [mode, rs] of Object.entries(runs)) {
        const from = mode === 'plain' ? 'spawn' : 'hand-over';
        const ready =
          mode === 'plain' ? '' : `; spawn -> hand-over ${median(rs.map((r) => r.toReady)).toFixed(1)} ms`;
        console.log(
          `  ${mode.padEnd(8)} ${from} -> first byte ${median(rs.map((r) => r.toFirstByte)).toFixed(1)} ms, ` +
            `-> exit ${median(rs.map((r) => r.toExit)).toFixed(1)} ms (median of ${rs.length})${ready}`,
        );
      }
    }
  }
  emptyDir(options.work);
  console.log(`${options.cases.length - failed}/${options.cases.length} cases pass`);
  process.exit(failed ? 1 : 0);
}

await main();
