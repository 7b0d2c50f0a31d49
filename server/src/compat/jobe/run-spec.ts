import { MAX_ADDRESS_SPACE_MB, MAX_PROCESSES, type RunRequest } from '@coderunner/protocol';
import { acceptsExtraArgs } from '../../runtimes/runtime-manifest.js';
import { defaultFileName, javaMainClass, type JobeLanguage } from './languages.js';
import { shellWords } from '../../util/shell-words.js';

/** A Jobe failure answered as Jobe does: a JSON string body with an HTTP status (app/Libraries/JobException.php). */
export class JobeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Jobe's defaults (LanguageTask.php `$default_params`, overridden per language in <Id>Task.php). */
const DEFAULTS = { cputime: 5, memorylimit: 400, streamsize: 2, numprocs: 30 };
const MEMORY_DEFAULTS: Readonly<Record<string, number>> = { python3: 1000, java: 0 };

/** What the adapter needs from the server's configuration. */
export interface JobeLimits {
  RUN_MAX_TIMEOUT_MS: number;
  RUN_MAX_MEMORY_MB: number;
  RUN_MAX_OUTPUT_KB: number;
}

/** A run_spec turned into a CodeRunner request, with what is needed to read the result back as Jobe would. */
export interface JobeRunPlan {
  body: RunRequest;
  /** Bytes of stdout/stderr kept, as runguard's --streamsize (kB = 1000 * MB, then * 1024). */
  streamBytes: number;
  /** Python runs through the compile-check wrapper, which starts its stdout with this marker. */
  marker: string | null;
  debug: boolean;
}

/** The wrappers that give Python and PHP runs Jobe's compile step inside the run stage. */
export const PYTHON_WRAPPER = '__jobe_run__.py';
export const PHP_WRAPPER = '__jobe_run__.php';

/**
 * Python3Task compiles with `python3 -m py_compile` (outcome 11 when that writes anything) and runs
 * `python3 <interpreterargs, default -BE> <file> <runargs>` through `sh -c`. This wrapper does the same inside
 * the run stage: checks the syntax and execs Python with the words the shell would have split (argv: marker,
 * file, the number of interpreter words, those, then the run's); the marker line tells the adapter which way it
 * went. The run stage's RLIMIT_AS (runguard's --memsize) is the agent's.
 */
const PYTHON_WRAPPER_SOURCE = `import os, sys, traceback
marker, src, n = sys.argv[1:4]
interp, runargs = sys.argv[4:4 + int(n)], sys.argv[4 + int(n):]
try:
    with open(src, 'rb') as f:
        compile(f.read(), src, 'exec')
except (SyntaxError, ValueError) as e:
    sys.stdout.write(marker + ' fail\\n' + ''.join(traceback.format_exception_only(type(e), e)))
    sys.exit(1)
sys.stdout.write(marker + ' ok\\n')
sys.stdout.flush()
os.execv(sys.executable, [sys.executable] + interp + [src] + runargs)
`;

/**
 * PhpTask compiles with `php -l <file>` (outcome 11 when it writes anything on stderr; cmpinfo is its stdout, a
 * literal `\n`, then its stderr, as PhpTask joins them) and runs `php <interpreterargs, default --no-php-ini>
 * <file> <runargs>`. This wrapper does the same inside the run stage and execs PHP for the run.
 */
const PHP_WRAPPER_SOURCE = `<?php
[, $marker, $src, $n] = $argv;
$interp = array_slice($argv, 4, (int) $n);
$runargs = array_slice($argv, 4 + (int) $n);
$lint = proc_open(['php', '-l', $src], [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$out = stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
proc_close($lint);
if ($err !== '') {
    fwrite(STDOUT, "$marker fail\\n" . ($out !== '' ? $out . '\\\\n' . $err : $err));
    exit(1);
}
fwrite(STDOUT, "$marker ok\\n");
fflush(STDOUT);
pcntl_exec('/usr/bin/php', array_merge($interp, [$src], $runargs));
fwrite(STDERR, "cannot run php\\n");
exit(127);
`;

/**
 * Jobe's default compiler options (CTask, CppTask, PascalTask), which a run's `compileargs` replace. gcc gets
 * `-O0` first, so that a later `-O` of the request's wins over the runtime's own `-O2` as Jobe compiles without
 * one (under `-O2` gcc turns testsubmit.py's endless recursion into an endless loop: 13 where Jobe's stack
 * overflow is 12), and `-Wno-infinite-recursion` last: gcc 12+ puts that warning in `-Wall`, which `-Werror`
 * would make a compile error where testsubmit.py expects a runtime error.
 */
const JOBE_COMPILE_ARGS: Readonly<Record<string, readonly string[]>> = {
  c: ['-Wall', '-Werror', '-std=c99', '-x c'],
  cpp: ['-Wall', '-Werror'],
  pascal: ['-vew', '-Se'],
};

/** Jobe's default interpreter options (NodejsTask, PhpTask, Python3Task), which `interpreterargs` replace. */
const JOBE_INTERPRETER_ARGS: Readonly<Record<string, readonly string[]>> = {
  python3: ['-BE'],
  nodejs: ['--use_strict'],
  php: ['--no-php-ini'],
};

/**
 * The languages whose `memorylimit` becomes an address-space limit, as runguard's --memsize: Jobe's own but
 * Java (JavaTask disregards it). Node 20 cannot start in less than about 1 GB of address space (V8 reserves its
 * code range up front; measured), so its limit is never set below that.
 */
const ADDRESS_SPACE_FLOOR_MB: Readonly<Record<string, number>> = {
  c: 16,
  cpp: 16,
  python3: 16,
  nodejs: 1024,
  php: 16,
  octave: 16,
  pascal: 16,
};

/** RunSpecifier::isValidSourceFilename: nothing a filename sanitiser would change, no leading `.` or `-`. */
function isValidSourceFilename(name: string): boolean {
  const sanitised = name
    .replace(/[<>:"/\\|?*\x00-\x1F\x7F\xA0\xAD#[\]@!$&'()+,;={}^~`]/g, '-')
    .replace(/^[.-]+/, '');
  return sanitised === name;
}

/** RunSpecifier::isValidFilespec. */
function isValidFilespec(file: unknown): file is [string, string, ...unknown[]] {
  if (!Array.isArray(file) || (file.length !== 2 && file.length !== 3)) return false;
  const [id, name] = file as unknown[];
  return (
    typeof id === 'string' &&
    typeof name === 'string' &&
    id.length >= 8 &&
    /^[A-Za-z0-9]+$/.test(id) &&
    name.length > 0 &&
    /^[A-Za-z0-9]+$/.test(name.replace(/[-_.]/g, ''))
  );
}

/** LanguageTask::getParam: a non-numeric value where the default is numeric falls back to the default. */
function numberParam(params: Record<string, unknown>, key: string, fallback: number): number {
  const value = params[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return fallback;
}

function listParam(params: Record<string, unknown>, key: string): string[] {
  const value = params[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Options of {@link planJobeRun}. */
export interface PlanOptions {
  limits: JobeLimits;
  /** Contents of a cached file, or null when missing (404, as LanguageTask::loadFiles). */
  fileContents: (id: string) => Promise<Buffer | null>;
  /** A fresh marker for the Python wrapper. */
  marker: string;
}

/**
 * Validates a Jobe `run_spec` (app/Libraries/RunSpecifier.php) and plans its CodeRunner run. Throws JobeError
 * with Jobe's status and text.
 */
export async function planJobeRun(
  spec: Record<string, unknown>,
  language: JobeLanguage,
  options: PlanOptions,
): Promise<JobeRunPlan> {
  const source = spec.sourcecode as string;
  const params =
    typeof spec.parameters === 'object' && spec.parameters !== null && !Array.isArray(spec.parameters)
      ? (spec.parameters as Record<string, unknown>)
      : {};
  const { limits } = options;
  // runguard gets --cputime=cputime and --walltime=2*cputime (LanguageTask::runInSandbox).
  const cputime = numberParam(params, 'cputime', DEFAULTS.cputime);
  const maxCpu = Math.floor(limits.RUN_MAX_TIMEOUT_MS / 2000);
  if (cputime > maxCpu) {
    throw new JobeError(400, `cputime exceeds maximum allowed on this Jobe server (${maxCpu} secs)`);
  }
  const cpuTimeMs = Math.max(100, Math.round(cputime * 1000));

  let name = '';
  if (spec.sourcefilename !== undefined && spec.sourcefilename !== null && spec.sourcefilename !== '') {
    if (typeof spec.sourcefilename !== 'string' || !isValidSourceFilename(spec.sourcefilename)) {
      throw new JobeError(400, 'The sourcefilename for the run_spec is illegal');
    }
    // RunSpecifier ignores legacy CodeRunner's 'prog.java', which is almost always wrong.
    if (spec.sourcefilename !== 'prog.java') name = spec.sourcefilename;
  }
  if (name === '') {
    if (language.id === 'java') {
      const main = javaMainClass(source);
      name = main ? `${main}.java` : 'prog.java';
    } else {
      name = defaultFileName(language);
    }
  }
  // The language comes from language_id, never from the name: a compiler that picks files by extension
  // (gcc, javac...) gets the runtime's own extension added when the name has another one.
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  const runtime = language.runtime;
  if (runtime.manifest.compile && !runtime.extensions.includes(extension)) {
    name = `${name}.${runtime.extensions[0] ?? extension}`;
  }

  const fileList = Array.isArray(spec.file_list) ? spec.file_list : spec.file_list == null ? [] : null;
  if (fileList === null) throw new JobeError(400, 'Invalid file specifier: file_list must be a list');
  const files: RunRequest['files'] = [{ name, content: source }];
  for (const file of fileList) {
    if (!isValidFilespec(file)) throw new JobeError(400, `Invalid file specifier: ${JSON.stringify(file)}`);
    const contents = await options.fileContents(file[0]);
    if (!contents) throw new JobeError(404, 'One or more of the specified files is missing/unavailable');
    files.push({ name: file[1], content: contents.toString('base64'), encoding: 'base64' });
  }

  // Jobe joins each list with spaces into a `sh -c` command line, so the shell splits (and unquotes) them.
  const words = (key: string, fallback: readonly string[] = []): string[] =>
    shellWords((key in params ? listParam(params, key) : fallback).join(' '));
  const runargs = words('runargs');
  const interpreterargs = words('interpreterargs', JOBE_INTERPRETER_ARGS[language.id]);
  let args = runargs;
  let marker: string | null = null;
  let entry = name;
  if (language.id === 'python3') {
    marker = options.marker;
    entry = PYTHON_WRAPPER;
    args = [marker, name, String(interpreterargs.length), ...interpreterargs, ...runargs];
    files.push({ name: PYTHON_WRAPPER, content: PYTHON_WRAPPER_SOURCE });
  } else if (language.id === 'php') {
    marker = options.marker;
    entry = PHP_WRAPPER;
    args = [marker, name, String(interpreterargs.length), ...interpreterargs, ...runargs];
    files.push({ name: PHP_WRAPPER, content: PHP_WRAPPER_SOURCE });
  }
  if (files.length > 1) for (const f of files) f.toBeExec = f.name === entry;

  const streamsize = numberParam(params, 'streamsize', DEFAULTS.streamsize);
  const streamBytes = Math.max(0, Math.round(streamsize * 1000 * 1024));
  const outputBytes = streamBytes + (marker === null ? 0 : marker.length + 8);
  const body: RunRequest = {
    language: runtime.language,
    files,
    stdin: typeof spec.input === 'string' ? spec.input : '',
    args,
    limits: {
      timeoutMs: Math.min(2 * cpuTimeMs, limits.RUN_MAX_TIMEOUT_MS),
      cpuTimeMs: Math.min(cpuTimeMs, limits.RUN_MAX_TIMEOUT_MS),
      // runguard --streamsize: output past it is dropped while the program goes on.
      outputKb: Math.max(1, Math.min(Math.ceil(outputBytes / 1024), limits.RUN_MAX_OUTPUT_KB)),
      outputOverflow: 'truncate',
    },
  };
  if (acceptsExtraArgs(runtime, 'interpreterArgs') && language.id !== 'python3' && language.id !== 'php') {
    if (interpreterargs.length > 0) body.interpreterArgs = interpreterargs;
  }
  if (acceptsExtraArgs(runtime, 'compileArgs')) {
    const compileargs = words('compileargs', JOBE_COMPILE_ARGS[language.id]);
    const gcc = runtime.language === 'c' || runtime.language === 'cpp';
    const all = gcc ? ['-O0', ...compileargs, '-Wno-infinite-recursion'] : compileargs;
    if (all.length > 0) body.compileArgs = all;
  }
  if (acceptsExtraArgs(runtime, 'linkArgs')) {
    const linkargs = words('linkargs');
    if (linkargs.length > 0) body.linkArgs = linkargs;
  }
  // runguard --nproc=numprocs+1 (the + 1 for Jobe's `sh -c`); JavaTask raises numprocs to at least 256.
  let numprocs = Math.max(0, Math.round(numberParam(params, 'numprocs', DEFAULTS.numprocs)));
  if (language.id === 'java') numprocs = Math.max(256, numprocs);
  body.limits!.processes = Math.min(numprocs + 1, MAX_PROCESSES);

  const memorylimit = numberParam(
    params,
    'memorylimit',
    MEMORY_DEFAULTS[language.id] ?? DEFAULTS.memorylimit,
  );
  // runguard --memsize is in kB (1000 * MB) and sets RLIMIT_AS to that many KiB; 0 means none.
  const floor = ADDRESS_SPACE_FLOOR_MB[language.id];
  if (floor !== undefined && memorylimit > 0) {
    const mb = Math.ceil((memorylimit * 1000) / 1024);
    body.limits!.addressSpaceMb = Math.min(Math.max(floor, mb), MAX_ADDRESS_SPACE_MB);
  }
  // The memory limit arrives as an address-space figure (Moodle's defaults reach 500000 MB): it sets the
  // container's memory too, clamped, never refused. Java's is disregarded, as JavaTask does (the JVM manages
  // its heap).
  if (params.memorylimit !== undefined && language.id !== 'java' && memorylimit > 0) {
    body.limits!.memoryMb = Math.min(Math.max(16, Math.round(memorylimit)), limits.RUN_MAX_MEMORY_MB);
  }
  return {
    body,
    streamBytes,
    marker,
    debug: spec.debug === true,
  };
}
