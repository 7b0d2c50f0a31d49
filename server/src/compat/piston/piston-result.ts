import { StringDecoder } from 'node:string_decoder';
import type { RunResponse } from '@coderunner/protocol';
import type { AgentEvent, StageExit } from '../../sandbox/agent-protocol.js';
import { signalName } from '../../runs/run-result.js';

/** One stage as Piston's job.js safe_call returns it (readme.md: ms, bytes, null for none). */
export interface PistonStage {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: string | null;
  output: string;
  memory: number | null;
  message: string | null;
  status: 'RE' | 'SG' | 'TO' | 'OL' | 'EL' | 'XX' | null;
  cpu_time: number | null;
  wall_time: number | null;
}

/** Piston's `execute` reply: `compile` only for compiled languages, `run` a copy of it when compiling failed. */
export interface PistonResult {
  compile?: PistonStage;
  run: PistonStage;
  language: string;
  version: string;
}

const SIGKILL = 9;
const SIGXFSZ = 25;

/**
 * status, message, code and signal of an ended stage. The two-letter statuses and messages are isolate's
 * (its meta file's `status:` and `message:`, which job.js copies); job.js itself sets OL/EL and reports
 * `signal: "SIGKILL"` for TO, OL and EL. A memory-limit kill is isolate's SG with signal 9.
 */
export function stageOutcome(exit: StageExit): Pick<PistonStage, 'status' | 'message' | 'code' | 'signal'> {
  const killed = (signal: number) => ({
    status: 'SG' as const,
    message: `Caught fatal signal ${signal}`,
    code: null,
    signal: signalName(signal),
  });
  switch (exit.limit) {
    case 'wall':
      return { status: 'TO', message: 'Time limit exceeded (wall clock)', code: null, signal: 'SIGKILL' };
    case 'cpu':
      return { status: 'TO', message: 'Time limit exceeded', code: null, signal: 'SIGKILL' };
    case 'output':
      return exit.stdoutTruncated || !exit.stderrTruncated
        ? { status: 'OL', message: 'stdout length exceeded', code: null, signal: 'SIGKILL' }
        : { status: 'EL', message: 'stderr length exceeded', code: null, signal: 'SIGKILL' };
    case 'memory':
      return killed(exit.signal ?? SIGKILL);
    case 'file_size':
      return killed(exit.signal ?? SIGXFSZ);
    default:
      if (exit.signal !== null) return killed(exit.signal);
      if (exit.exitCode !== null && exit.exitCode !== 0) {
        return {
          status: 'RE',
          message: `Exited with error status ${exit.exitCode}`,
          code: exit.exitCode,
          signal: null,
        };
      }
      return { status: null, message: null, code: exit.exitCode, signal: null };
  }
}

interface StageText {
  stdout: string;
  stderr: string;
  output: string;
  decoders: Record<'stdout' | 'stderr', StringDecoder>;
  exit: StageExit | null;
}

/**
 * Collects a run's agent events per stage: stdout, stderr and `output` (both streams interleaved in the order
 * their chunks arrived, as job.js appends each `data` event to `output`), and each stage's exit.
 */
export class PistonCollector {
  private readonly stages: StageText[] = [];
  private current = -1;

  onEvent(event: AgentEvent): void {
    if (event.type === 'stage-begin') {
      this.current = event.stage;
      this.stage(event.stage);
    } else if ((event.type === 'stdout' || event.type === 'stderr') && this.current >= 0) {
      this.append(
        this.stage(this.current),
        event.type,
        this.stage(this.current).decoders[event.type].write(event.data),
      );
    } else if (event.type === 'stage-exit') {
      const s = this.stage(event.exit.stage);
      for (const stream of ['stdout', 'stderr'] as const) this.append(s, stream, s.decoders[stream].end());
      s.exit = event.exit;
    }
  }

  private stage(i: number): StageText {
    let s = this.stages[i];
    if (!s) {
      s = {
        stdout: '',
        stderr: '',
        output: '',
        decoders: { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') },
        exit: null,
      };
      this.stages[i] = s;
    }
    return s;
  }

  private append(s: StageText, stream: 'stdout' | 'stderr', text: string): void {
    if (!text) return;
    s[stream] += text;
    s.output += text;
  }

  /** Stage `i` in Piston's shape, or null if it never began. `error` marks a stage the server failed (XX). */
  result(i: number, error?: { message: string }): PistonStage | null {
    const s = this.stages[i];
    if (!s) return error && i === 0 ? xx('', '', '', error.message) : null;
    if (!s.exit) return xx(s.stdout, s.stderr, s.output, error?.message ?? 'the stage did not end');
    return {
      stdout: s.stdout,
      stderr: s.stderr,
      ...stageOutcome(s.exit),
      output: s.output,
      memory: s.exit.memoryKb * 1024,
      cpu_time: s.exit.cpuTimeMs,
      wall_time: s.exit.wallTimeMs,
    };
  }
}

function xx(stdout: string, stderr: string, output: string, message: string): PistonStage {
  return {
    stdout,
    stderr,
    code: null,
    signal: null,
    output,
    memory: null,
    message,
    status: 'XX',
    cpu_time: null,
    wall_time: null,
  };
}

/** Builds the `execute` reply from the run's stages (names in agent order) and the collected events. */
export function pistonResult(
  language: string,
  version: string,
  stageNames: readonly string[],
  collector: PistonCollector,
  response: RunResponse,
): PistonResult {
  const error =
    response.status === 'internal_error'
      ? { message: response.error?.message ?? 'internal error' }
      : undefined;
  const compileIndex = stageNames.indexOf('compile');
  const runIndex = stageNames.indexOf('run');
  const compile = compileIndex >= 0 ? collector.result(compileIndex, error) : null;
  let run = collector.result(runIndex, compile ? undefined : error);
  // v2.js: "Backward compatibility when the run stage is not started": run is a copy of compile.
  if (!run) run = compile ?? collector.result(0, error ?? { message: 'no stage ran' })!;
  const result: PistonResult = { run, language, version };
  return compile ? { compile, run, language, version } : result;
}
