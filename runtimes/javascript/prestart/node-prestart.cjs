'use strict';
// The pre-started node's preload (README.md beside this file). node-prestart.pl starts
//   node -r <this file> <node-prestart-main.cjs> <work dir>
// and node runs this file during its start-up, after everything else of the start-up and just before it resolves
// and loads the main entry. Here it says 'R' on fd 99 (the agent's socket, moved there from fd 3), waits for the
// hand-over (the argv of the plain `node ENTRY ARGS...` as NUL-terminated strings), and turns this process into
// that command's: work dir, process.argv, process.execArgv, no trace of this preload, and the placeholder main
// entry resolved to the real one. Node itself then loads the entry (CommonJS or ES module) as a plain start does.
//
// Written for Node 20 (lib/internal/process/pre_execution.js, lib/internal/main/run_main_module.js,
// lib/internal/modules/run_main.js). It must not use the Buffer pool, process.stdout/stderr/stdin or async
// resources: a program could see any of those. (The builtins it loads ahead show in process.moduleLoadList.)

const fs = require('fs');
const path = require('path');
const Module = module.constructor;

const SOCKET_FD = 99;
const PLACEHOLDER = path.join(__dirname, 'node-prestart-main.cjs');
const PRELOAD_ARGS = ['-r', __filename];

function fail(message) {
  fs.writeSync(2, `node-prestart: ${message}\n`);
  process.exit(127);
}

/** Removes a module of ours from where a program can look: require.cache and the path cache. */
function forgetModule(filename) {
  delete Module._cache[filename];
  for (const key of Object.keys(Module._pathCache)) {
    if (Module._pathCache[key] === filename) delete Module._pathCache[key];
  }
}

/** Removes what loading this file left where a program can look: the caches, execArgv, _preload_modules. */
function forgetPreload() {
  forgetModule(__filename);
  const { execArgv } = process;
  for (let i = 0; i + 1 < execArgv.length;) {
    if (execArgv[i] === PRELOAD_ARGS[0] && execArgv[i + 1] === PRELOAD_ARGS[1]) execArgv.splice(i, 2);
    else i += 1;
  }
  const preloads = Object.getOwnPropertyDescriptor(process, '_preload_modules');
  if (preloads && Array.isArray(preloads.value)) {
    const value = preloads.value.filter((request) => request !== __filename);
    Object.defineProperty(process, '_preload_modules', { ...preloads, value });
  }
}

/**
 * Loads (without running anything of a program's) the builtins most programs' first lines need and a plain
 * start would load then: process.stdout and process.stdin on pipes (net and the streams), readline, and the ES
 * module loader (an empty .mjs through require(esm), which loads it synchronously). Only process.moduleLoadList
 * shows it. A failure here costs speed only.
 */
function warmUp() {
  try {
    for (const id of ['net', 'readline', 'fs/promises', 'module']) require(id);
    const esm = path.join(__dirname, 'node-prestart-warm.mjs');
    try {
      require(esm);
    } finally {
      forgetModule(esm);
    }
  } catch {
    // Slower, not different.
  }
}

/** Reads fd until end of file into a Buffer of its own (Buffer.alloc: never the shared pool). */
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
  if (argv[0] !== 'node') return `the hand-over argv starts with ${JSON.stringify(argv[0])}, not "node"`;
  if (argv.length < 2 || argv[1] === '') return 'the hand-over argv names no entry';
  return argv;
}

/**
 * What this process cannot turn into (node options before the entry, an entry that does not resolve, whose error
 * would name the placeholder): the plain command runs as a child on the same stdio, and its end is this one's.
 */
function runPlainly(argv) {
  const { spawnSync } = require('child_process');
  const child = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', argv0: argv[0] });
  if (child.error) fail(`${argv[0]}: ${child.error.message}`);
  if (child.signal) {
    process.kill(process.pid, child.signal);
    process.exit(128 + (require('os').constants.signals[child.signal] ?? 0));
  }
  process.exit(child.status);
}

/**
 * Lets Node's own resolution of the main entry (run_main.js resolveMainPath, then for CommonJS Module._load's
 * Module._resolveFilename: "Module._findPath is monkey-patchable here") find the real entry where it asks for
 * the placeholder, and puts Module._findPath back before any of the program runs: after the second such call
 * (CommonJS), or in the first microtask (an ES module entry runs later than that, as the loader awaits).
 */
function redirectMain(mainEntry, argv) {
  const findPath = Module._findPath;
  let calls = 0;
  const restore = () => {
    if (Module._findPath === redirected) Module._findPath = findPath;
  };
  function redirected(request, paths, isMain) {
    if (request !== PLACEHOLDER || !isMain) return Reflect.apply(findPath, this, [request, paths, isMain]);
    calls += 1;
    const found = Reflect.apply(findPath, this, [mainEntry, paths, isMain]);
    if (calls === 1) {
      if (!found) runPlainly(argv);
      // A plain promise: queueMicrotask would take an async id the program could see.
      Promise.resolve().then(restore);
    } else {
      restore();
    }
    return found;
  }
  Module._findPath = redirected;
}

function handOver() {
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

  // The work dir node-prestart.pl left.
  const workDir = process.argv[2];
  if (!workDir) fail('started without the work dir (start it with node-prestart.pl)');
  try {
    process.chdir(workDir);
  } catch (err) {
    fail(`back to the work dir: ${err.message}`);
  }
  if (argv[1].startsWith('-')) runPlainly(argv);

  // As patchProcessObject makes them for `node ENTRY ARGS...`: [execPath, absolute entry, ...ARGS].
  const mainEntry = path.resolve(argv[1]);
  const processArgv = process.argv;
  processArgv.length = 1;
  for (let i = 1; i < argv.length; i++) processArgv.push(i === 1 ? mainEntry : argv[i]);
  redirectMain(mainEntry, argv);
}

// Only the pre-started main thread hands over. A worker thread the program starts without execArgv inherits
// this -r (as a plain start's worker inherits nothing): there it only cleans up. Which thread this is, without
// loading worker_threads where a plain start has not: a worker loads it before its preloads.
const isWorker =
  process.moduleLoadList.includes('NativeModule worker_threads') && !require('worker_threads').isMainThread;
forgetPreload();
if (!isWorker && process.argv[1] === PLACEHOLDER) {
  warmUp();
  handOver();
}
