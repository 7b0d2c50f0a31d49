// Words for the status line: what happened, then exit code or signal, wall time, CPU time and memory.
import type { StageReport } from '@coderunner/protocol';
import type { RunSessionState } from './run-session-reducer';

export type StatusTone = 'idle' | 'busy' | 'ok' | 'error';

export interface StatusView {
  tone: StatusTone;
  headline: string;
  details: string[];
}

/** "12 ms" below a second, "1.25 s" above. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** "900 KB" below a megabyte, "8.1 MB" above. */
export function formatMemory(kb: number): string {
  return kb < 1024 ? `${Math.round(kb)} KB` : `${(kb / 1024).toFixed(1)} MB`;
}

function stageDetails(report: StageReport | null | undefined): string[] {
  if (!report) return [];
  return [
    report.signal ? `signal ${report.signal}` : `exit ${report.exitCode ?? '?'}`,
    `wall ${formatDuration(report.wallTimeMs)}`,
    `CPU ${formatDuration(report.cpuTimeMs)}`,
    `memory ${formatMemory(report.memoryKb)}`,
  ];
}

const BUSY: Record<string, string> = {
  connecting: 'Connecting…',
  queued: 'Waiting for a sandbox…',
  compiling: 'Compiling…',
  running: 'Running…',
};

/** Describes the session for the status line. */
export function formatStatus(state: RunSessionState): StatusView {
  if (state.phase === 'idle') return { tone: 'idle', headline: 'Ready', details: ['Ctrl+Enter runs'] };
  if (state.phase === 'failed') {
    return {
      tone: 'error',
      headline: `Could not run: ${state.error?.message ?? 'unknown error'}`,
      details: [],
    };
  }
  const busy = BUSY[state.phase];
  if (busy !== undefined) {
    return { tone: 'busy', headline: state.stopRequested ? 'Stopping…' : busy, details: [] };
  }
  const result = state.result;
  if (!result) return { tone: 'error', headline: 'Finished without a result', details: [] };
  const run = result.run;
  const details = stageDetails(run ?? result.compile);
  switch (result.status) {
    case 'ok':
      if (result.score) {
        const { passed, total } = result.score;
        return {
          tone: passed === total ? 'ok' : 'error',
          headline: `Tests finished: ${passed} of ${total} passed`,
          details,
        };
      }
      return { tone: 'ok', headline: 'Finished', details };
    case 'compile_error':
      return { tone: 'error', headline: 'Compile error', details };
    case 'timeout':
      return { tone: 'error', headline: 'Time limit exceeded', details };
    case 'memory_limit':
      return { tone: 'error', headline: 'Memory limit exceeded', details };
    case 'output_limit':
      return { tone: 'error', headline: 'Output limit exceeded', details };
    case 'internal_error':
      return { tone: 'error', headline: `Internal error: ${result.error?.message ?? 'unknown'}`, details };
    case 'runtime_error':
      if (state.stopRequested && run?.signal === 'SIGKILL')
        return { tone: 'error', headline: 'Stopped', details };
      return {
        tone: 'error',
        headline: run?.signal ? `Killed by ${run.signal}` : `Runtime error (exit ${run?.exitCode ?? '?'})`,
        details,
      };
  }
}
