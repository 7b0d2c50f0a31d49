import { describe, expect, it } from 'vitest';
import type { RunResponse, RunStatus } from '@coderunner/protocol';
import { formatDuration, formatMemory, formatStatus } from './format-status';
import { IDLE_SESSION, type RunSessionState } from './run-session-reducer';

const report = (extra: object = {}) => ({
  stdout: '',
  stderr: '',
  exitCode: 0,
  signal: null,
  wallTimeMs: 12.4,
  cpuTimeMs: 1500,
  memoryKb: 8300,
  stdoutTruncated: false,
  stderrTruncated: false,
  ...extra,
});

const finished = (
  status: RunStatus,
  result: Partial<RunResponse> = {},
  state: Partial<RunSessionState> = {},
) =>
  formatStatus({
    ...IDLE_SESSION,
    phase: 'finished',
    result: {
      id: 'r',
      language: 'python',
      version: '3',
      status,
      compile: null,
      run: report(),
      timings: { queueMs: 0, acquireMs: 0, executeMs: 12, totalMs: 12 },
      ...result,
    },
    ...state,
  });

describe('the status line', () => {
  it('formats durations and memory for people', () => {
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1500)).toBe('1.50 s');
    expect(formatMemory(900)).toBe('900 KB');
    expect(formatMemory(8300)).toBe('8.1 MB');
  });

  it('shows exit code, wall time, CPU time and memory of a finished run', () => {
    expect(finished('ok')).toEqual({
      tone: 'ok',
      headline: 'Finished',
      details: ['exit 0', 'wall 12 ms', 'CPU 1.50 s', 'memory 8.1 MB'],
    });
  });

  it('sums up a test run by its score', () => {
    const score = (passed: number) => ({ passed, total: 5, points: passed, maxPoints: 5 });
    expect(finished('ok', { run: null, score: score(4) })).toEqual({
      tone: 'error',
      headline: 'Tests finished: 4 of 5 passed',
      details: [],
    });
    expect(finished('ok', { run: null, score: score(5) }).tone).toBe('ok');
  });

  it('names each way a run can end', () => {
    expect(finished('compile_error', { run: null, compile: report({ exitCode: 1 }) }).headline).toBe(
      'Compile error',
    );
    expect(finished('compile_error', { run: null, compile: report({ exitCode: 1 }) }).details[0]).toBe(
      'exit 1',
    );
    expect(finished('timeout').headline).toBe('Time limit exceeded');
    expect(finished('memory_limit').headline).toBe('Memory limit exceeded');
    expect(finished('output_limit').headline).toBe('Output limit exceeded');
    expect(finished('runtime_error', { run: report({ exitCode: 3 }) }).headline).toBe(
      'Runtime error (exit 3)',
    );
    const killed = { run: report({ exitCode: null, signal: 'SIGKILL' }) };
    expect(finished('runtime_error', killed).headline).toBe('Killed by SIGKILL');
    expect(finished('runtime_error', killed, { stopRequested: true }).headline).toBe('Stopped');
    expect(finished('runtime_error', killed).details[0]).toBe('signal SIGKILL');
  });

  it('says what is going on while a run is under way, and why one failed', () => {
    expect(formatStatus(IDLE_SESSION).headline).toBe('Ready');
    expect(formatStatus({ ...IDLE_SESSION, phase: 'compiling' })).toMatchObject({
      tone: 'busy',
      headline: 'Compiling…',
    });
    expect(formatStatus({ ...IDLE_SESSION, phase: 'running', stopRequested: true }).headline).toBe(
      'Stopping…',
    );
    expect(
      formatStatus({ ...IDLE_SESSION, phase: 'failed', error: { code: 'x', message: 'busy' } }).headline,
    ).toBe('Could not run: busy');
  });
});
