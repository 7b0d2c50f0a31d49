'use strict';
// The pre-started tsc (README.md beside this file). The agent starts
//   node /usr/local/lib/coderunner/tsc-prestart.cjs OPTIONS...
// as the runner in the empty work dir, with the compile's environment and limits and its hand-over socket on fd 3.
// OPTIONS are runtime.json's compile options (everything between "tsc" and the files). Before saying 'R' it loads
// the compiler (typescript.js), compiles warm-up samples with exactly those options, and keeps the parsed and bound
// SourceFiles of the lib .d.ts files and @types/node. Then it reads the hand-over (the argv of the plain
// `tsc ARGS...`, NUL-terminated strings) and either
//   - compiles as the tsc CLI does (executeCommandLine -> executeCommandLineWorker -> performCompilation of
//     typescript's src/tsc and src/compiler/executeCommandLine.ts, step by step with the same exported functions),
//     with a compiler host that hands out the kept SourceFiles instead of reading and parsing them again, when the
//     hand-over's options are exactly OPTIONS (only the file names vary), or
//   - runs the real tsc CLI in this process (lib/tsc.js with process.argv as `tsc ARGS...` gives it) for anything
//     else: other or more options, response files (@file), --build, no files, NODE_ENV=development. A kept
//     SourceFile is only valid for the options it was parsed and bound with.
// Node cannot exec; the in-process CLI is the same code a plain start runs (tsc does not run any of the program's
// code), so the result is the same.

const fs = require('fs');
const path = require('path');

const SOCKET_FD = 3;
const TS_DIR = '/opt/typescript/node_modules/typescript';
// What `tsc` is: /usr/local/bin/tsc -> TS_DIR/bin/tsc, `#!/usr/bin/env node` + require('../lib/tsc.js'), so a
// plain start is `node /usr/local/bin/tsc ARGS...` (process.argv[1] is the path as run, not the link's target).
const TSC_BIN = '/usr/local/bin/tsc';
const TSC_JS = path.join(TS_DIR, 'lib', 'tsc.js');
// Files whose parse is kept: the image's lib .d.ts files, @types/node and undici-types (read-only in the image).
const KEEP_UNDER = '/opt/typescript/node_modules/';
const WARM_DIR = path.join(__dirname, 'tsc-prestart-warm');
// src/tsc/executeCommandLine.ts: defaultJSDocParsingMode (ParseForTypeErrors), which performCompilation sets.
const JSDOC_PARSING_MODE = 2;
const WARM_BUDGET_MS = 1500;

function fail(message) {
  fs.writeSync(2, `tsc-prestart: ${message}\n`);
  process.exit(127);
}

/** Reads fd to end of file into a Buffer of its own. */
function readToEnd(fd) {
  let buf = Buffer.alloc(1 << 16);
  let len = 0;
  let pause;
  for (;;) {
    if (len === buf.length) {
      const bigger = Buffer.alloc(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    let n;
    try {
      n = fs.readSync(fd, buf, len, buf.length - len, null);
    } catch (err) {
      if (err.code === 'EINTR') continue;
      if (err.code !== 'EAGAIN') throw err;
      // A non-blocking socket: wait a millisecond without the event loop.
      pause ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(pause, 0, 0, 1);
      continue;
    }
    if (n === 0) return buf.subarray(0, len);
    len += n;
  }
}

/** The hand-over's argv, or a reason why it is not one. */
function parseArgv(message) {
  if (message.length === 0) return 'the hand-over message is empty';
  if (message[message.length - 1] !== 0) return 'the hand-over message does not end in NUL';
  const argv = [];
  for (let start = 0; start < message.length;) {
    const end = message.indexOf(0, start);
    argv.push(message.toString('utf8', start, end));
    start = end + 1;
  }
  if (argv[0] !== 'tsc') return `the hand-over argv starts with ${JSON.stringify(argv[0])}, not "tsc"`;
  if (argv.length < 2) return 'the hand-over argv has no arguments';
  return argv;
}

/** The real tsc CLI, in this process, as `node /usr/local/bin/tsc ARGS...` runs it. It exits the process. */
function runRealTsc(args) {
  process.argv.splice(1, process.argv.length - 1, TSC_BIN, ...args);
  require(TSC_JS);
}

/** Deep equality of parsed compiler options (plain data: strings, numbers, booleans, arrays, objects). */
function sameValue(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
}

// Options whose handling in executeCommandLineWorker or performCompilation is more than the steps compile()
// copies (watch, build info, statistics, tracing, help, a summary line with --pretty): prepared options with any
// of them make every hand-over run the real CLI.
const NOT_PREPARED = [
  'locale', 'init', 'version', 'help', 'all', 'watch', 'listFilesOnly', 'project', 'showConfig', 'build',
  'incremental', 'composite', 'diagnostics', 'extendedDiagnostics', 'generateTrace', 'generateCpuProfile',
];

/**
 * The prepared compile, or null (then every hand-over runs the real CLI): the launcher's own arguments parsed as
 * tsc parses its command line, accepted only when tsc would compile with them without a config file.
 */
function prepare(ts, optionArgs) {
  if (optionArgs.some((a) => a.startsWith('@'))) return null;
  const parsed = ts.parseCommandLine(optionArgs, () => undefined);
  if (parsed.errors.length > 0 || parsed.fileNames.length > 0 || parsed.watchOptions !== undefined) return null;
  if (NOT_PREPARED.some((name) => parsed.options[name] !== undefined)) return null;
  // createReportErrorSummary and updateReportDiagnostic (not exported) do nothing only with --pretty false.
  if (parsed.options.pretty !== false) return null;
  return { options: parsed.options, cache: new Map() };
}

/**
 * A compiler host as performCompilation makes it, whose getSourceFile hands out the kept SourceFiles: one parsed
 * with the same name and parse options (language version, module format, JSDoc mode) from a file that has not
 * changed since (size, mtime and inode). With record set, what it parses under KEEP_UNDER is kept.
 */
function createHost(ts, options, prepared, record) {
  const sys = ts.sys;
  const host = ts.createCompilerHostWorker(options, /* setParentNodes */ undefined, sys);
  host.jsDocParsingMode = JSDOC_PARSING_MODE;
  const parseFile = host.getSourceFile;
  host.getSourceFile = function getSourceFile(fileName, languageVersionOrOptions, ...rest) {
    const kind = parseKind(languageVersionOrOptions);
    const kept = prepared.cache.get(fileName);
    if (kept && kept.kind === kind && sameStat(kept.stat, statOf(fileName))) return kept.file;
    const file = Reflect.apply(parseFile, this, [fileName, languageVersionOrOptions, ...rest]);
    if (record && file && fileName.startsWith(KEEP_UNDER)) {
      const stat = statOf(fileName);
      if (stat) prepared.cache.set(fileName, { kind, stat, file });
    }
    return file;
  };
  return host;
}

function parseKind(languageVersionOrOptions) {
  const o = languageVersionOrOptions;
  if (typeof o !== 'object' || o === null) return `${o}`;
  return `${o.languageVersion}/${o.impliedNodeFormat}/${o.jsDocParsingMode}`;
}

function statOf(fileName) {
  try {
    const s = fs.statSync(fileName, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return null;
  }
}

const sameStat = (a, b) => a !== null && a === b;

/**
 * tsc ARGS... for the prepared options, as the CLI does it (names as in typescript's src/tsc/executeCommandLine.ts).
 * Returns false, having done nothing, when the argv is not one the prepared options fit.
 */
function compile(ts, prepared, args) {
  const sys = ts.sys;
  // executeCommandLine: a --build command, or a response file, which could hold anything.
  if (args.length === 0 || args.some((a) => a.startsWith('@')) || /^--?b(uild)?$/i.test(args[0])) return false;
  const commandLine = ts.parseCommandLine(args, (p) => sys.readFile(p));
  if (commandLine.errors.length > 0 || commandLine.watchOptions !== undefined) return false;
  if (commandLine.fileNames.length === 0 || !sameValue(commandLine.options, prepared.options)) return false;
  // src/tsc/tsc.ts, before executeCommandLine: source-map-support for NODE_ENV=development.
  if (/^development$/i.test(sys.getEnvironmentVariable('NODE_ENV'))) return false;
  prologue(ts);

  // executeCommandLineWorker, for options with none of NOT_PREPARED and --pretty false, and files: no config file.
  const reportDiagnostic = ts.createDiagnosticReporter(sys);
  const currentDirectory = sys.getCurrentDirectory();
  const options = ts.convertToOptionsWithAbsolutePaths(commandLine.options, (fileName) =>
    ts.getNormalizedAbsolutePath(fileName, currentDirectory),
  );
  // performCompilation (enableStatisticsAndTracing and reportStatistics do nothing without NOT_PREPARED's).
  const config = { ...commandLine, options };
  const host = createHost(ts, options, prepared, false);
  const getCanonicalFileName = ts.createGetCanonicalFileName(host.useCaseSensitiveFileNames());
  const hostDirectory = host.getCurrentDirectory();
  ts.changeCompilerHostLikeToUseCache(host, (fileName) => ts.toPath(fileName, hostDirectory, getCanonicalFileName));
  const program = ts.createProgram({
    rootNames: config.fileNames,
    options,
    projectReferences: config.projectReferences,
    host,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(config),
  });
  const exitStatus = ts.emitFilesAndReportErrorsAndGetExitStatus(
    program,
    reportDiagnostic,
    (s) => sys.write(s + sys.newLine),
    /* reportSummary: createReportErrorSummary with --pretty false */ undefined,
  );
  sys.exit(exitStatus);
  return true;
}

/** src/tsc/tsc.ts before executeCommandLine (its NODE_ENV=development branch runs the real CLI instead). */
function prologue(ts) {
  const sys = ts.sys;
  ts.Debug.loggingHost = {
    log(_level, s) {
      sys.write(`${s || ''}${sys.newLine}`);
    },
  };
  if (ts.Debug.isDebugging) ts.Debug.enableDebugInfo();
  if (sys.setBlocking) sys.setBlocking();
}

/**
 * Compiles the samples of tsc-prestart-warm/ with the prepared options: that parses and binds the lib files and
 * @types/node (kept for the hand-over) and warms the JIT on parser, binder, checker, emitter and the diagnostic
 * text. They are read from there but seen as files of the work dir (so rootDir and outDir fit as for a program);
 * nothing is written, nothing is read from the work dir, whose files have not arrived yet.
 */
function warmUp(ts, prepared) {
  const cwd = process.cwd();
  const samples = new Map();
  for (const name of fs.readdirSync(WARM_DIR).sort()) {
    samples.set(path.join(cwd, name), fs.readFileSync(path.join(WARM_DIR, name), 'utf8'));
  }
  const options = ts.convertToOptionsWithAbsolutePaths(prepared.options, (fileName) =>
    ts.getNormalizedAbsolutePath(fileName, cwd),
  );
  const rounds = [
    [...samples.keys()].filter((f) => !f.includes('error')),
    [...samples.keys()].filter((f) => f.includes('error')),
  ];
  // A second pass only while the first took less than WARM_BUDGET_MS: the agent waits for 'R' at most
  // SANDBOX_READY_TIMEOUT_MS / 2 (7.5 s by default), and a busy machine must not push the ready past it.
  const started = Date.now();
  for (const [i, rootNames] of [...rounds, ...rounds].entries()) {
    if (i >= rounds.length && Date.now() - started > WARM_BUDGET_MS) break;
    const host = createHost(ts, options, prepared, true);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = function (fileName, languageVersionOrOptions, ...rest) {
      const text = samples.get(fileName);
      if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersionOrOptions);
      return Reflect.apply(getSourceFile, this, [fileName, languageVersionOrOptions, ...rest]);
    };
    host.fileExists = (fileName) => samples.has(fileName) || (!fileName.startsWith(cwd) && fileExists(fileName));
    host.readFile = (fileName) => samples.get(fileName) ?? (fileName.startsWith(cwd) ? undefined : readFile(fileName));
    host.directoryExists = (dir) => dir === cwd || (!dir.startsWith(`${cwd}/`) && ts.sys.directoryExists(dir));
    host.writeFile = () => {};
    host.createDirectory = () => {};
    const program = ts.createProgram({ rootNames, options, host });
    const diagnostics = ts.getPreEmitDiagnostics(program);
    ts.formatDiagnostics(diagnostics, host);
    program.emit();
  }
}

function handOver(ts, prepared) {
  try {
    fs.writeSync(SOCKET_FD, Uint8Array.of(0x52)); // 'R'
  } catch (err) {
    fail(`writing the ready byte: ${err.message}`);
  }
  let message;
  try {
    message = readToEnd(SOCKET_FD);
    fs.closeSync(SOCKET_FD);
  } catch (err) {
    fail(`reading the hand-over: ${err.message}`);
  }
  const argv = parseArgv(message);
  if (typeof argv === 'string') fail(argv);
  const args = argv.slice(1);
  if (!(prepared && compile(ts, prepared, args))) runRealTsc(args);
}

function main() {
  const ts = require(path.join(TS_DIR, 'lib', 'typescript.js'));
  const prepared = prepare(ts, process.argv.slice(2));
  if (prepared) {
    try {
      warmUp(ts, prepared);
    } catch (err) {
      // Slower, not different: nothing is kept, every file is parsed at the hand-over.
      prepared.cache.clear();
    }
  }
  handOver(ts, prepared);
}

main();
