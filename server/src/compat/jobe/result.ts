import type { RunResponse } from '@coderunner/protocol';

/** Jobe's outcome codes (LanguageTask.php, "as per ideone API"). */
export const OUTCOME = {
  compileError: 11,
  runtimeError: 12,
  timeLimit: 13,
  success: 15,
  memoryLimit: 17,
  illegalSyscall: 19,
  internalError: 20,
  serverOverload: 21,
} as const;

/** Jobe's reply to `POST runs` (app/Libraries/ResultObject.php). */
export interface JobeResult {
  run_id: string | null;
  outcome: number;
  cmpinfo: string;
  stdout: string;
  stderr: string;
}

/**
 * ResultObject::clean: valid UTF-8 comes back as it is; anything else has every control character but
 * newline, return and tab, and every byte above 0x7E, written as `\xNN`.
 */
export function cleanBytes(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    let out = '';
    for (const b of bytes) {
      out +=
        (b < 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) || b > 0x7e
          ? `\\x${b.toString(16).padStart(2, '0')}`
          : String.fromCharCode(b);
    }
    return out;
  }
}

/** The raw bytes the run stage wrote, as collected from the agent's events. */
export interface RunBytes {
  stdout: Buffer;
  stderr: Buffer;
}

/** What {@link toJobeResult} needs besides the response. */
export interface ResultContext {
  jobeId: string;
  streamBytes: number;
  marker: string | null;
  runId: string | null;
}

/**
 * A CodeRunner result as Jobe reports it (LanguageTask::diagnoseResult and resultObject): any compiler
 * output is a compile error; a time limit clears stderr; otherwise any stderr at all is a runtime error.
 */
export function toJobeResult(response: RunResponse, bytes: RunBytes, ctx: ResultContext): JobeResult {
  const result = (outcome: number, cmpinfo: string, stdout: string, stderr: string): JobeResult => ({
    run_id: ctx.runId,
    outcome,
    cmpinfo,
    stdout,
    stderr,
  });
  if (response.status === 'internal_error') {
    return result(OUTCOME.internalError, '', '', response.error?.message ?? 'internal error');
  }
  const compile = response.compile;
  if (compile && (response.status === 'compile_error' || compile.stderr !== '' || compile.exitCode !== 0)) {
    const info = compile.stderr || compile.stdout || `The compiler stopped (${response.status})`;
    return result(OUTCOME.compileError, info, '', '');
  }
  let stdout = bytes.stdout;
  if (ctx.marker !== null) {
    const ok = Buffer.from(`${ctx.marker} ok\n`);
    const fail = Buffer.from(`${ctx.marker} fail\n`);
    if (stdout.subarray(0, fail.length).equals(fail)) {
      const info = cleanBytes(Buffer.concat([stdout.subarray(fail.length), bytes.stderr]));
      return result(OUTCOME.compileError, info, '', '');
    }
    if (stdout.subarray(0, ok.length).equals(ok)) stdout = stdout.subarray(ok.length);
  }
  // runguard --streamsize: output past the limit is dropped while the program goes on.
  const out = cleanBytes(stdout.subarray(0, ctx.streamBytes));
  let err = cleanBytes(bytes.stderr.subarray(0, ctx.streamBytes));
  // JavaTask::filteredStderr.
  if (ctx.jobeId === 'java') err = err.replaceAll('\n\t', '\n        ');
  switch (response.status) {
    case 'timeout':
    case 'output_limit':
      return result(OUTCOME.timeLimit, '', out, '');
    case 'memory_limit':
      return result(OUTCOME.memoryLimit, '', out, err);
    default: {
      const killed = response.run?.signal !== null && response.run?.signal !== undefined;
      return result(err !== '' || killed ? OUTCOME.runtimeError : OUTCOME.success, '', out, err);
    }
  }
}
