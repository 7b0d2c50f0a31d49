import { constants } from 'node:os';
import { RUN_STATUSES, type OutputFile, type RunStatus, type StageResult } from '@coderunner/protocol';
import { StageOutputs } from './output-files.js';
import type { AgentEvent, AgentStage, StageExit } from '../sandbox/agent-protocol.js';

export { RUN_STATUSES, type RunStatus, type StageResult };

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(constants.signals).map(([name, number]) => [number, name]),
);

/** `9` -> `SIGKILL`. */
export function signalName(signal: number | null): string | null {
  if (signal === null) return null;
  return SIGNAL_NAMES.get(signal) ?? `SIG${signal}`;
}

interface StageBuffer {
  stdout: Buffer[];
  stderr: Buffer[];
  stdoutBytes: number;
  stderrBytes: number;
  clipped: { stdout: boolean; stderr: boolean };
  exit: StageExit | null;
  outputs: StageOutputs;
}

/**
 * Collects the agent's events into per-stage output, keeping at most each stage's output cap per stream:
 * the agent is not trusted to respect the cap, so the server enforces it again.
 */
export class RunCollector {
  private readonly buffers: StageBuffer[];
  private current = 0;

  constructor(
    private readonly stages: readonly AgentStage[],
    outputCaps: { maxFiles: number; maxBytes: number } = { maxFiles: 0, maxBytes: 0 },
  ) {
    this.buffers = stages.map(() => ({
      outputs: new StageOutputs(outputCaps.maxFiles, outputCaps.maxBytes),
      stdout: [],
      stderr: [],
      stdoutBytes: 0,
      stderrBytes: 0,
      clipped: { stdout: false, stderr: false },
      exit: null,
    }));
  }

  /**
   * Feeds one agent event and returns it as kept: output clipped to the cap, or null when nothing of it is kept.
   * Streaming clients are sent what this returns, so they and the final result see the same output.
   */
  onEvent(event: AgentEvent): AgentEvent | null {
    if (event.type === 'stage-begin') {
      if (event.stage < this.buffers.length) this.current = event.stage;
      return event;
    }
    const buffer = this.buffers[this.current];
    if (!buffer) return null;
    if (event.type === 'stdout' || event.type === 'stderr') {
      const cap = this.stages[this.current]!.outputBytes;
      const used = event.type === 'stdout' ? buffer.stdoutBytes : buffer.stderrBytes;
      const room = cap - used;
      if (room <= 0) {
        buffer.clipped[event.type] = true;
        return null;
      }
      const data =
        event.data.length > room ? Buffer.from(event.data.subarray(0, room)) : Buffer.from(event.data);
      if (data.length < event.data.length) buffer.clipped[event.type] = true;
      buffer[event.type].push(data);
      if (event.type === 'stdout') buffer.stdoutBytes += data.length;
      else buffer.stderrBytes += data.length;
      return { type: event.type, data };
    }
    if (event.type === 'stage-exit') {
      const target = this.buffers[event.exit.stage];
      if (target) target.exit = event.exit;
    }
    if (event.type === 'output-file') {
      this.buffers[event.stage]?.outputs.chunk(event.name, event.data, event.last);
      return null;
    }
    if (event.type === 'outputs') this.buffers[event.stage]?.outputs.summary(event.truncated);
    return event;
  }

  /** The exit record of stage `index`, if it ran to its end. */
  exitOf(index: number): StageExit | null {
    return this.buffers[index]?.exit ?? null;
  }

  /** The files stage `index` left, and whether the caps left some out. */
  outputsOf(index: number): { files: OutputFile[]; truncated: boolean } {
    const outputs = this.buffers[index]?.outputs;
    return outputs
      ? { files: outputs.files(), truncated: outputs.truncated }
      : { files: [], truncated: false };
  }

  /** The stage that began last. */
  get currentStage(): number {
    return this.current;
  }

  /**
   * The API view of stage `index`; a stage that never reported an exit has null codes, or SIGKILL when the
   * caller knows it was killed with its container (`killed`).
   */
  resultOf(index: number, killed = false): StageResult | null {
    const b = this.buffers[index];
    if (!b || (b.exit === null && b.stdoutBytes === 0 && b.stderrBytes === 0 && !killed)) return null;
    const e = b.exit;
    return {
      stdout: Buffer.concat(b.stdout).toString('utf8'),
      stderr: Buffer.concat(b.stderr).toString('utf8'),
      exitCode: e?.exitCode ?? null,
      signal: e ? signalName(e.signal) : killed ? 'SIGKILL' : null,
      wallTimeMs: e?.wallTimeMs ?? 0,
      cpuTimeMs: e?.cpuTimeMs ?? 0,
      memoryKb: e?.memoryKb ?? 0,
      stdoutTruncated: (e?.stdoutTruncated ?? false) || b.clipped.stdout,
      stderrTruncated: (e?.stderrTruncated ?? false) || b.clipped.stderr,
    };
  }
}

function limitStatus(exit: StageExit): RunStatus | null {
  switch (exit.limit) {
    case 'wall':
    case 'cpu':
      return 'timeout';
    case 'memory':
      return 'memory_limit';
    case 'output':
      return 'output_limit';
    default:
      return null;
  }
}

/**
 * The run's status from its stage exits. A failed compile is `compile_error` unless a resource limit ended
 * it; the run stage maps its limit, then its exit code.
 */
export function runStatus(stages: readonly AgentStage[], exits: ReadonlyArray<StageExit | null>): RunStatus {
  for (const [i, stage] of stages.entries()) {
    const exit = exits[i];
    if (!exit) return 'internal_error';
    const limited = limitStatus(exit);
    if (stage.name === 'compile') {
      if (limited === 'timeout' || limited === 'memory_limit') return limited;
      if (exit.exitCode !== 0 || exit.limit !== 'none') return 'compile_error';
      continue;
    }
    if (limited) return limited;
    return exit.exitCode === 0 && exit.limit === 'none' ? 'ok' : 'runtime_error';
  }
  return 'internal_error';
}
