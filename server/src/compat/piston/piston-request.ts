import type { RunRequest } from '@coderunner/protocol';
import type { Config } from '../../config/config.js';
import type { PistonLanguage, PistonLanguages } from './piston-languages.js';

/** A refusal in Piston's words: `400 { message }` (api/src/api/v2.js get_job rejects with `{ message }`). */
export class PistonRefusal extends Error {
  constructor(
    message: string,
    /** The JSON body Piston answers with; `{}` where Piston serialises a TypeError it threw. */
    readonly body: Record<string, unknown> = { message },
  ) {
    super(message);
  }
}

export type PistonLimitsConfig = Pick<
  Config,
  'RUN_MAX_TIMEOUT_MS' | 'COMPILE_MAX_TIMEOUT_MS' | 'RUN_MAX_MEMORY_MB' | 'COMPILE_MAX_MEMORY_MB'
>;

/** A Piston job turned into a CodeRunner run request. */
export interface PistonJob {
  readonly runtime: PistonLanguage;
  readonly request: RunRequest;
}

/**
 * Piston's defaults (api/src/config.js; readme.md, Execute Endpoint): wall clock and CPU time 3 s for the run,
 * 10 s for the compile, memory -1 (none), 64 processes per stage (`max_process_count`).
 */
const DEFAULT_RUN_TIMEOUT_MS = 3000;
const DEFAULT_COMPILE_TIMEOUT_MS = 10000;
const DEFAULT_RUN_CPU_TIME_MS = 3000;
const DEFAULT_COMPILE_CPU_TIME_MS = 10000;
const MAX_PROCESS_COUNT = 64;
/**
 * What isolate's `--processes=64` (RLIMIT_NPROC of the box's uid) leaves the program: job.js starts every stage
 * as `/bin/bash <package>/run`, and that script runs the program as its child (`python3.12 "$@"`, `./a.out
 * "$@"`), so the shell holds one of the 64. Our run command is the program itself.
 */
export const PISTON_PROGRAM_PROCESSES = MAX_PROCESS_COUNT - 1;
/** The smallest limits our request schema accepts (protocol/src/run-request.ts). */
const MIN_TIMEOUT_MS = 100;
const MIN_MEMORY_MB = 16;
const MB = 1024 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Validates a Piston `execute` body (or WebSocket `init` frame) in Piston's order with Piston's messages
 * (api/src/api/v2.js get_job) and translates it. Throws PistonRefusal.
 */
export function pistonJob(
  raw: unknown,
  languages: PistonLanguages,
  limits: PistonLimitsConfig,
  options: { keepStdin: boolean },
): PistonJob {
  const body = isObject(raw) ? raw : {};
  const { language, version, files } = body;
  if (!language || typeof language !== 'string') throw new PistonRefusal('language is required as a string');
  if (!version || typeof version !== 'string') throw new PistonRefusal('version is required as a string');
  if (!files || !Array.isArray(files)) throw new PistonRefusal('files is required as an array');
  for (const [i, file] of (files as unknown[]).entries()) {
    // Piston reads `file.content` of a null entry and throws a TypeError, which express serialises as `{}`.
    if (file === null || file === undefined) throw new PistonRefusal('TypeError', {});
    if (typeof (file as Record<string, unknown>).content !== 'string') {
      throw new PistonRefusal(`files[${i}].content is required as a string`);
    }
  }
  const rt = languages.find(language, version);
  if (!rt) throw new PistonRefusal(`${language}-${version} runtime is unknown`);
  const entries = files as Array<Record<string, unknown>>;
  // job.js: base64, hex and utf8; anything else is read as utf8.
  const encodingOf = (f: Record<string, unknown>): 'base64' | 'hex' | 'utf8' =>
    f.encoding === 'base64' || f.encoding === 'hex' ? f.encoding : 'utf8';
  if (!entries.some((f) => !f.encoding || f.encoding === 'utf8')) {
    throw new PistonRefusal('files must include at least one utf8 encoded file');
  }
  const configured = {
    compile_memory_limit: limits.COMPILE_MAX_MEMORY_MB * MB,
    run_memory_limit: limits.RUN_MAX_MEMORY_MB * MB,
    compile_timeout: limits.COMPILE_MAX_TIMEOUT_MS,
    run_timeout: limits.RUN_MAX_TIMEOUT_MS,
    compile_cpu_time: limits.COMPILE_MAX_TIMEOUT_MS,
    run_cpu_time: limits.RUN_MAX_TIMEOUT_MS,
  };
  for (const constraint of ['memory_limit', 'timeout', 'cpu_time']) {
    for (const type of ['compile', 'run']) {
      const name = `${type}_${constraint}` as keyof typeof configured;
      const value = body[name];
      if (!value) continue;
      if (typeof value !== 'number') throw new PistonRefusal(`If specified, ${name} must be a number`);
      // A negative memory limit is Piston's "none" (-1, what piston-client sends): the runtime's default.
      if (constraint === 'memory_limit' && value < 0) continue;
      if (value > configured[name]) {
        throw new PistonRefusal(`${name} cannot exceed the configured limit of ${configured[name]}`);
      }
      if (value < 0) throw new PistonRefusal(`${name} must be non-negative`);
    }
  }
  const extension = rt.target.extensions[0] ?? 'code';
  const request: RunRequest = {
    language: rt.target.language,
    files: entries.map((f, i) => {
      const encoding = encodingOf(f);
      const content = f.content as string;
      // job.js names a nameless file `file<i>.code`; our compile commands pick files by extension.
      const name = typeof f.name === 'string' && f.name !== '' ? f.name : `file${i}.${extension}`;
      return encoding === 'utf8'
        ? { name, content }
        : { name, content: Buffer.from(content, encoding).toString('base64'), encoding: 'base64' as const };
    }),
    args: Array.isArray(body.args) ? body.args.map((a) => String(a)) : [],
    limits: {
      // isolate's --wall-time and --time (job.js): the wall clock and the CPU time of the stage, apart.
      timeoutMs: timeout(body.run_timeout, DEFAULT_RUN_TIMEOUT_MS, limits.RUN_MAX_TIMEOUT_MS),
      // isolate's --processes: processes and threads at once (RLIMIT_NPROC), of the run stage only here.
      processes: PISTON_PROGRAM_PROCESSES,
      compile: {
        timeoutMs: timeout(body.compile_timeout, DEFAULT_COMPILE_TIMEOUT_MS, limits.COMPILE_MAX_TIMEOUT_MS),
      },
    },
  };
  const runCpu = cpuTime(body.run_cpu_time, DEFAULT_RUN_CPU_TIME_MS, limits.RUN_MAX_TIMEOUT_MS);
  if (runCpu !== undefined) request.limits!.cpuTimeMs = runCpu;
  const compileCpu = cpuTime(
    body.compile_cpu_time,
    DEFAULT_COMPILE_CPU_TIME_MS,
    limits.COMPILE_MAX_TIMEOUT_MS,
  );
  if (compileCpu !== undefined) request.limits!.compile!.cpuTimeMs = compileCpu;
  const runMemory = memoryMb(body.run_memory_limit);
  if (runMemory !== undefined) request.limits!.memoryMb = runMemory;
  const compileMemory = memoryMb(body.compile_memory_limit);
  if (compileMemory !== undefined) request.limits!.compile!.memoryMb = compileMemory;
  if (options.keepStdin) {
    // job.js adds a trailing newline when the stdin does not end with one.
    let stdin = typeof body.stdin === 'string' ? body.stdin : '';
    if (stdin.slice(-1) !== '\n') stdin += '\n';
    request.stdin = stdin;
  }
  return { runtime: rt, request };
}

function timeout(value: unknown, fallback: number, max: number): number {
  const ms = typeof value === 'number' && value > 0 ? value : Math.min(fallback, max);
  return Math.max(MIN_TIMEOUT_MS, Math.ceil(ms));
}

/**
 * A CPU limit: Piston's default when absent (v2.js `run_cpu_time ?? rt.cpu_times.run`), none of its own for 0
 * (isolate's `--time=0`; the wall limit then decides, the core's default), else the value, at least our minimum.
 */
function cpuTime(value: unknown, fallback: number, max: number): number | undefined {
  if (value === 0) return undefined;
  const ms = typeof value === 'number' && value > 0 ? value : Math.min(fallback, max);
  return Math.max(MIN_TIMEOUT_MS, Math.ceil(ms));
}

function memoryMb(value: unknown): number | undefined {
  if (typeof value !== 'number' || value <= 0) return undefined;
  return Math.max(MIN_MEMORY_MB, Math.ceil(value / MB));
}
