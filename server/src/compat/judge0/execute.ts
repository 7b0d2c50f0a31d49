import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { MAX_ADDRESS_SPACE_MB, MAX_PROCESSES, MAX_STACK_KB, type RunRequest } from '@coderunner/protocol';
import { unzipSync } from 'fflate';
import type { Config } from '../../config/config.js';
import { CodeRunnerError } from '../../errors/errors.js';
import type { RunResponse, RunService } from '../../runs/run-service.js';
import type { StageLimit } from '../../sandbox/agent-protocol.js';
import { runtimeErrorBySignal, type StatusId } from './statuses.js';
import { splitArguments, type Judge0Outcome, type Submission } from './submission.js';

export type ExecuteConfig = Pick<
  Config,
  'RUN_MAX_TIMEOUT_MS' | 'RUN_MAX_MEMORY_MB' | 'RUN_MAX_OUTPUT_KB' | 'RUN_MAX_FILES'
>;

export type { Judge0Outcome };

/** A submission the run service refused before running it (bad zip, file names): Judge0 would not have. */
export class UnrunnableSubmission extends Error {}

const PROJECT_ENTRY = 'judge0-multi-file.sh';

/** Unzips additional_files like `unzip -n -qq` (isolate_job.rb#extract_archive), bounded by MAX_EXTRACT_SIZE. */
function extract(zip: Buffer, maxBytes: number, maxFiles: number): Array<{ name: string; content: Buffer }> {
  let declared = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(zip), {
      filter: (file) => {
        declared += file.originalSize;
        if (declared > maxBytes)
          throw new UnrunnableSubmission(`additional_files expand past ${maxBytes} bytes`);
        return !file.name.endsWith('/');
      },
    });
  } catch (err) {
    if (err instanceof UnrunnableSubmission) throw err;
    throw new UnrunnableSubmission(`additional_files is not a zip archive: ${(err as Error).message}`);
  }
  const files = Object.entries(entries).map(([name, data]) => ({ name, content: Buffer.from(data) }));
  if (files.reduce((n, f) => n + f.content.length, 0) > maxBytes)
    throw new UnrunnableSubmission(`additional_files expand past ${maxBytes} bytes`);
  if (files.length > maxFiles)
    throw new UnrunnableSubmission(`additional_files holds more than ${maxFiles} files`);
  return files;
}

/**
 * The wrapper that plays Judge0's two isolate calls for a multi-file program in one bash run: the compile
 * script (compile.sh or compile) with stderr into stdout, framed on stderr with a per-run nonce so its output
 * and exit code can be told from the program's, then the run script (run.sh or run).
 */
function projectScript(nonce: string): string {
  return [
    'c=""; [ -f compile ] && c=compile; [ -f compile.sh ] && c=compile.sh',
    'if [ -n "$c" ]; then',
    '  /bin/bash "$c" < /dev/null > /tmp/.judge0-compile 2>&1; s=$?',
    `  printf '${nonce} %d %d\\n' "$s" "$(wc -c < /tmp/.judge0-compile)" >&2`,
    '  cat /tmp/.judge0-compile >&2; rm -f /tmp/.judge0-compile',
    '  [ "$s" -eq 0 ] || exit 0',
    'fi',
    'r=run.sh; [ -f run.sh ] || { [ -f run ] && r=run; }',
    'exec /bin/bash "$r" "$@"',
    '',
  ].join('\n');
}

/** The CodeRunner run request for a submission, and the nonce of a multi-file wrapper. */
export function runBodyOf(
  s: Submission,
  config: ExecuteConfig,
  maxExtractKb: number,
): { body: unknown; nonce: string | null } {
  const p = s.params;
  const files: Array<{ name: string; content: string; encoding: 'base64'; toBeExec?: boolean }> = [];
  const extra = p.additionalFiles
    ? extract(p.additionalFiles, maxExtractKb * 1024, config.RUN_MAX_FILES - 1)
    : [];
  let nonce: string | null = null;
  if (s.language.isProject) {
    nonce = `judge0-${randomBytes(12).toString('hex')}`;
    files.push({
      name: PROJECT_ENTRY,
      content: Buffer.from(projectScript(nonce)).toString('base64'),
      encoding: 'base64',
      toBeExec: true,
    });
  } else {
    files.push({
      name: s.language.sourceFile!,
      content: (p.sourceCode ?? Buffer.alloc(0)).toString('base64'),
      encoding: 'base64',
      toBeExec: true,
    });
  }
  // `unzip -n`: an archive never overwrites the source file.
  for (const f of extra)
    if (!files.some((g) => g.name === f.name))
      files.push({ name: f.name, content: f.content.toString('base64'), encoding: 'base64' });
  if (files.length === 1) delete files[0]!.toBeExec;
  const body: RunRequest = {
    language: s.language.runtime.language,
    files,
    stdin: (p.stdin ?? Buffer.alloc(0)).toString('utf8'),
    args: splitArguments(p.commandLineArguments),
    limits: runLimitsOf(s, config),
  };
  // compile_cmd % compiler_options (isolate_job.rb#compile): the options go before the sources.
  const compileArgs = s.language.compilerOptions ? splitArguments(p.compilerOptions) : [];
  if (compileArgs.length > 0) body.compileArgs = compileArgs;
  return { body, nonce };
}

const seconds = (value: number, config: ExecuteConfig): number =>
  Math.min(Math.max(Math.round(value * 1000), 100), config.RUN_MAX_TIMEOUT_MS);

/**
 * The run stage's limits as isolate_job.rb#run passes them to isolate: `-t cpu_time_limit -x cpu_extra_time
 * -w wall_time_limit -k stack_limit -p max_processes_and_or_threads -f max_file_size`, and `--cg-mem` (the
 * container's memory) or, with enable_per_process_and_thread_memory_limit, `-m` (RLIMIT_AS of each process).
 */
function runLimitsOf(s: Submission, config: ExecuteConfig): NonNullable<RunRequest['limits']> {
  const p = s.params;
  const limits: NonNullable<RunRequest['limits']> = {
    timeoutMs: seconds(p.wallTimeLimit, config),
    // -f 0 sets no RLIMIT_FSIZE at all.
    outputKb:
      p.maxFileSize === 0
        ? config.RUN_MAX_OUTPUT_KB
        : Math.min(Math.max(Math.trunc(p.maxFileSize), 1), config.RUN_MAX_OUTPUT_KB),
    // -k 0 is an unlimited stack: the core's largest.
    stackKb:
      p.stackLimit === 0 ? MAX_STACK_KB : Math.min(Math.max(Math.trunc(p.stackLimit), 64), MAX_STACK_KB),
  };
  // An integer column: 0.5 passes `greater_than: 0` and is stored as 0, and -p0 sets no RLIMIT_NPROC.
  const processes = Math.trunc(p.maxProcessesAndOrThreads);
  if (processes > 0) limits.processes = Math.min(processes, MAX_PROCESSES);
  // isolate kills once the CPU time passes both -t and -x (check_timeout: `ms > timeout && ms > extra_timeout`)
  // and -t 0 is no CPU limit. Per process and thread (--no-cg-timing) isolate watches the CPU time of the box's
  // main process, Judge0's `/bin/bash run.sh`, which waits for the program: only the wall limit stops it, and
  // its CPU time is judged once it has ended (outcomeOf). Without a CPU limit the core's largest keeps a
  // program with several busy threads from being stopped by its CPU time before the wall clock.
  limits.cpuTimeMs =
    p.cpuTimeLimit > 0 && !p.enablePerProcessAndThreadTimeLimit
      ? seconds(Math.max(p.cpuTimeLimit, p.cpuExtraTime), config)
      : config.RUN_MAX_TIMEOUT_MS;
  if (p.enablePerProcessAndThreadMemoryLimit) {
    // -m instead of --cg-mem: no limit on the whole box, so the container gets the most a run may have.
    limits.addressSpaceMb = Math.min(Math.max(Math.ceil(p.memoryLimit / 1024), 16), MAX_ADDRESS_SPACE_MB);
    limits.memoryMb = config.RUN_MAX_MEMORY_MB;
  } else if (p.memoryLimitGiven) {
    limits.memoryMb = Math.min(Math.max(Math.ceil(p.memoryLimit / 1024), 16), config.RUN_MAX_MEMORY_MB);
  }
  return limits;
}

interface Captured {
  stdout: Buffer[];
  stderr: Buffer[];
  merged: Buffer[];
}

const orNull = (chunks: Buffer[]): Buffer | null => {
  const b = Buffer.concat(chunks);
  return b.length === 0 ? null : b;
};

/** Judge0's `strip` (isolate_job.rb): each line right-stripped, then the whole. Byte-wise, like Ruby's. */
function strip(data: Buffer | null): string | null {
  if (data === null) return null;
  const rstrip = (s: string) => s.replace(/[\0\t\n\v\f\r ]+$/, '');
  return rstrip(data.toString('latin1').split('\n').map(rstrip).join('\n'));
}

/** Accepted when no expected_output was given or it matches stdout after `strip` (isolate_job.rb#determine_status). */
export function judgeOutput(expected: Buffer | null, stdout: Buffer | null): StatusId {
  return expected === null || strip(expected) === strip(stdout) ? 3 : 4;
}

function signalNumber(name: string | null): number | null {
  if (name === null) return null;
  const n = (constants.signals as Record<string, number>)[name];
  if (n !== undefined) return n;
  const m = /^SIG(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** Maps one run service result, the bytes it streamed and the limit that ended its run stage to Judge0's fields. */
function outcomeOf(
  s: Submission,
  res: RunResponse,
  stages: readonly string[],
  cap: Captured[],
  nonce: string | null,
  runLimit: StageLimit | null,
): Judge0Outcome {
  const compileIndex = stages.indexOf('compile');
  const runIndex = stages.indexOf('run');
  let compileOutput = compileIndex >= 0 ? orNull(cap[compileIndex]!.merged) : null;
  const runCap = cap[runIndex] ?? { stdout: [], stderr: [], merged: [] };
  let stderrBytes = Buffer.concat(runCap.stderr);
  let mergedBytes = Buffer.concat(runCap.merged);
  let projectCompileFailed = false;
  if (nonce !== null) {
    // The wrapper's frame: "<nonce> <status> <length>\n" then the compile output, on stderr.
    const head = stderrBytes.subarray(0, 200).toString('latin1');
    const m = new RegExp(`^${nonce} (\\d+) (\\d+)\\n`).exec(head);
    if (m) {
      const start = m[0].length;
      const end = start + Number(m[2]);
      compileOutput = stderrBytes.length > start ? stderrBytes.subarray(start, end) : null;
      if (compileOutput?.length === 0) compileOutput = null;
      projectCompileFailed = Number(m[1]) !== 0;
      stderrBytes = stderrBytes.subarray(end);
      const at = mergedBytes.indexOf(Buffer.from(nonce));
      if (at >= 0) mergedBytes = Buffer.concat([mergedBytes.subarray(0, at), mergedBytes.subarray(at + end)]);
    }
  }
  const blank: Judge0Outcome = {
    statusId: 6,
    stdout: null,
    stderr: null,
    compileOutput,
    message: null,
    exitCode: null,
    exitSignal: null,
    time: null,
    wallTime: null,
    memory: null,
  };
  if (res.status === 'internal_error')
    return { ...blank, statusId: 13, compileOutput: null, message: res.error?.message ?? 'internal error' };
  const compileTimedOut = res.status === 'timeout' && res.run === null && res.compile !== null;
  if (
    res.status === 'compile_error' ||
    compileTimedOut ||
    (res.status === 'memory_limit' && res.run === null) ||
    projectCompileFailed
  ) {
    return {
      ...blank,
      compileOutput: compileTimedOut ? Buffer.from('Compilation time limit exceeded.') : compileOutput,
    };
  }
  const run = res.run;
  if (!run) return { ...blank, statusId: 13, compileOutput: null, message: 'the run stage did not report' };
  const stdout = s.params.redirectStderrToStdout ? orNull([mergedBytes]) : orNull(runCap.stdout);
  const stderr = s.params.redirectStderrToStdout ? null : stderrBytes.length > 0 ? stderrBytes : null;
  const out: Judge0Outcome = {
    statusId: 3,
    stdout,
    stderr,
    compileOutput,
    message: null,
    exitCode: 0,
    exitSignal: null,
    time: run.cpuTimeMs / 1000,
    wallTime: run.wallTimeMs / 1000,
    memory: Math.round(run.memoryKb),
  };
  // isolate's meta status and message (isolate.c): TO "Time limit exceeded" (CPU) or "Time limit exceeded (wall
  // clock)", SG "Caught fatal signal N", RE "Exited with error status N".
  const cpuLimitMs = s.params.cpuTimeLimit * 1000;
  const wallLimitMs = s.params.wallTimeLimit * 1000;
  const cpuExceeded = cpuLimitMs > 0 && run.cpuTimeMs > cpuLimitMs;
  if (res.status === 'timeout') {
    // Killed by check_timeout; which limit, the agent says (a CPU limit past -t, else the wall clock).
    const byCpu = runLimit === 'cpu' || (runLimit === null && cpuExceeded && run.wallTimeMs < wallLimitMs);
    return {
      ...out,
      statusId: 5,
      message: byCpu ? 'Time limit exceeded' : 'Time limit exceeded (wall clock)',
    };
  }
  // Ended otherwise, box_keeper judges the CPU time, then the wall time, and only then the exit status.
  if (cpuExceeded) return { ...out, statusId: 5, message: 'Time limit exceeded' };
  if (run.wallTimeMs > wallLimitMs)
    return { ...out, statusId: 5, message: 'Time limit exceeded (wall clock)' };
  const signal =
    res.status === 'memory_limit' ? 9 : res.status === 'output_limit' ? 25 : signalNumber(run.signal);
  if (signal !== null && res.status !== 'ok') {
    return {
      ...out,
      statusId: runtimeErrorBySignal(signal),
      exitSignal: signal,
      message: `Caught fatal signal ${signal}`,
    };
  }
  if (res.status === 'runtime_error' || (run.exitCode ?? 0) !== 0) {
    const code = run.exitCode ?? 1;
    return { ...out, statusId: 11, exitCode: code, message: `Exited with error status ${code}` };
  }
  return { ...out, statusId: judgeOutput(s.params.expectedOutput, stdout) };
}

/**
 * Runs a submission through the one run service, number_of_runs times while Accepted, averaging time and
 * memory (isolate_job.rb#perform). Throws CodeRunnerError for refusals (queue full, shutting down...).
 */
export async function executeSubmission(
  runs: RunService,
  s: Submission,
  config: ExecuteConfig,
  maxExtractKb: number,
  signal: AbortSignal,
): Promise<Judge0Outcome> {
  const times: number[] = [];
  const memories: number[] = [];
  let outcome: Judge0Outcome | null = null;
  for (let i = 0; i < s.params.numberOfRuns; i++) {
    const { body, nonce } = runBodyOf(s, config, maxExtractKb);
    let prepared;
    try {
      prepared = runs.prepare(body);
    } catch (err) {
      if (err instanceof CodeRunnerError && err.statusCode === 400)
        throw new UnrunnableSubmission(err.message);
      throw err;
    }
    const stages = prepared.agentRequest.stages.map((st) => st.name);
    const cap: Captured[] = stages.map(() => ({ stdout: [], stderr: [], merged: [] }));
    const runIndex = stages.indexOf('run');
    let current = 0;
    let runLimit: StageLimit | null = null;
    const res = await runs.execute(prepared, {
      signal,
      onEvent: (event) => {
        if (event.type === 'stage-begin') current = event.stage;
        else if (event.type === 'stage-exit' && event.exit.stage === runIndex) runLimit = event.exit.limit;
        else if (event.type === 'stdout' || event.type === 'stderr') {
          const c = cap[current];
          if (c) {
            c[event.type].push(event.data);
            c.merged.push(event.data);
          }
        }
      },
    });
    outcome = outcomeOf(s, res, stages, cap, nonce, runLimit);
    if (outcome.statusId === 6 || outcome.statusId === 13) return outcome;
    times.push(outcome.time ?? 0);
    memories.push(outcome.memory ?? 0);
    if (outcome.statusId !== 3) break;
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { ...outcome!, time: avg(times), memory: Math.round(avg(memories)) };
}
