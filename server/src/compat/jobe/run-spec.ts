import type { RunRequest } from '@coderunner/protocol';
import { defaultFileName, javaMainClass, type JobeLanguage } from './languages.js';

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
const DEFAULTS = { cputime: 5, memorylimit: 400, streamsize: 2 };
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

/** The name of the wrapper that gives Python runs Jobe's compile check, address-space limit and arguments. */
export const PYTHON_WRAPPER = '__jobe_run__.py';
const C_LIMITS = '__jobe_limits__';

/**
 * Python3Task compiles with `python3 -m py_compile` (outcome 11 when that writes anything) and runs
 * `python3 -BE <interpreterargs> <file> <runargs>` through `sh -c` under runguard's --memsize (RLIMIT_AS).
 * This wrapper does the same inside the run stage: checks the syntax, sets RLIMIT_AS, splits the arguments as
 * the shell would, and execs Python; the marker line tells the adapter which way it went.
 */
const PYTHON_WRAPPER_SOURCE = `import os, resource, shlex, sys, traceback
marker, src, mem, interp, runargs = sys.argv[1:6]
try:
    with open(src, 'rb') as f:
        compile(f.read(), src, 'exec')
except (SyntaxError, ValueError) as e:
    sys.stdout.write(marker + ' fail\\n' + ''.join(traceback.format_exception_only(type(e), e)))
    sys.exit(1)
sys.stdout.write(marker + ' ok\\n')
sys.stdout.flush()
if int(mem) > 0:
    resource.setrlimit(resource.RLIMIT_AS, (int(mem), int(mem)))
os.execv(sys.executable, [sys.executable, '-BE'] + shlex.split(interp) + [src] + shlex.split(runargs))
`;

/** runguard's --memsize for C and C++ (RLIMIT_AS), set by a constructor linked into the program. */
function cLimitsSource(bytes: number): string {
  return `#include <sys/resource.h>
__attribute__((constructor)) static void jobe_limits(void) {
  struct rlimit r = { ${bytes}UL, ${bytes}UL };
  setrlimit(RLIMIT_AS, &r);
}
`;
}

/**
 * CTask and CppTask compile with `gcc -Wall -Werror -std=c99` and no `-O`; our runtimes add `-O2`, under which
 * gcc turns testsubmit.py's endless recursion into an endless loop (13, where Jobe's stack overflow is 12). The
 * program's own file therefore starts with this prologue: Jobe's optimisation level (none), and gcc 12+'s
 * `-Winfinite-recursion` (part of `-Wall`, so a compile error in the adapter's "any compiler output" rule)
 * silenced, as with the gcc Jobe's tester expects. `#line` keeps diagnostics on the program's own lines.
 */
function cPrologue(name: string): string {
  return `#pragma GCC optimize ("O0")\n#pragma GCC diagnostic ignored "-Winfinite-recursion"\n#line 1 "${name}"\n`;
}

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

/** POSIX shell word splitting (quotes and backslashes; no expansion), as `sh -c` treats Jobe's joined args. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word += end < 0 ? line.slice(i + 1) : line.slice(i + 1, end);
      i = end < 0 ? line.length : end;
      inWord = true;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        word += line[i]!;
        i++;
      }
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i]!;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
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
  // Runguard's wall-clock kill is twice the CPU time (LanguageTask::runInSandbox, --time=2*cputime).
  const cputime = numberParam(params, 'cputime', DEFAULTS.cputime);
  const maxCpu = Math.floor(limits.RUN_MAX_TIMEOUT_MS / 2000);
  if (cputime > maxCpu) {
    throw new JobeError(400, `cputime exceeds maximum allowed on this Jobe server (${maxCpu} secs)`);
  }
  const timeoutMs = Math.max(100, Math.round(2 * cputime * 1000));

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
  const isC = runtime.language === 'c' || runtime.language === 'cpp';
  const files: RunRequest['files'] = [{ name, content: isC ? cPrologue(name) + source : source }];
  for (const file of fileList) {
    if (!isValidFilespec(file)) throw new JobeError(400, `Invalid file specifier: ${JSON.stringify(file)}`);
    const contents = await options.fileContents(file[0]);
    if (!contents) throw new JobeError(404, 'One or more of the specified files is missing/unavailable');
    files.push({ name: file[1], content: contents.toString('base64'), encoding: 'base64' });
  }

  const memorylimit = numberParam(
    params,
    'memorylimit',
    MEMORY_DEFAULTS[language.id] ?? DEFAULTS.memorylimit,
  );
  // runguard --memsize is in kB (1000 * MB) and sets RLIMIT_AS to that many KiB.
  const addressBytes = language.id === 'java' ? 0 : Math.max(0, Math.round(memorylimit * 1000 * 1024));
  const runargs = listParam(params, 'runargs');
  let args = shellWords(runargs.join(' '));
  let marker: string | null = null;
  if (language.runtime.language === 'python') {
    marker = options.marker;
    args = [
      marker,
      name,
      String(addressBytes),
      listParam(params, 'interpreterargs').join(' '),
      runargs.join(' '),
    ];
    files.push({ name: PYTHON_WRAPPER, content: PYTHON_WRAPPER_SOURCE });
  } else if (isC && addressBytes > 0) {
    files.push({
      name: `${C_LIMITS}.${language.runtime.language === 'c' ? 'c' : 'cpp'}`,
      content: cLimitsSource(addressBytes),
    });
  }
  const entry = marker ? PYTHON_WRAPPER : name;
  if (files.length > 1) for (const f of files) f.toBeExec = f.name === entry;

  const body: RunRequest = {
    language: language.runtime.language,
    files,
    stdin: typeof spec.input === 'string' ? spec.input : '',
    args,
    limits: { timeoutMs: Math.min(timeoutMs, limits.RUN_MAX_TIMEOUT_MS), outputKb: limits.RUN_MAX_OUTPUT_KB },
  };
  // The memory limit arrives as an address-space figure (Moodle's defaults reach 500000 MB): clamped, never
  // refused. Java's is disregarded, as JavaTask does (the JVM manages its heap).
  if (params.memorylimit !== undefined && language.id !== 'java' && memorylimit > 0) {
    body.limits!.memoryMb = Math.min(Math.max(16, Math.round(memorylimit)), limits.RUN_MAX_MEMORY_MB);
  }
  const streamsize = numberParam(params, 'streamsize', DEFAULTS.streamsize);
  return {
    body,
    streamBytes: Math.max(0, Math.round(streamsize * 1000 * 1024)),
    marker,
    debug: spec.debug === true,
  };
}
