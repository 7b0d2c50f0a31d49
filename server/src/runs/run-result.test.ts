import { describe, expect, it } from 'vitest';
import type { AgentStage, StageExit } from '../sandbox/agent-protocol.js';
import { RunCollector, runStatus, signalName } from './run-result.js';

const stage = (name: 'compile' | 'run', outputBytes = 10): AgentStage => ({
  name,
  argv: ['x'],
  env: [],
  wallMs: 1000,
  cpuMs: 1000,
  fileSizeBytes: 1,
  outputBytes,
  attachStdin: name === 'run',
  pauseBefore: false,
});

const exit = (over: Partial<StageExit> = {}): StageExit => ({
  stage: 0,
  exitCode: 0,
  signal: null,
  wallTimeMs: 1,
  cpuTimeMs: 1,
  memoryKb: 1,
  limit: 'none',
  stdoutTruncated: false,
  stderrTruncated: false,
  outputBytes: 0,
  prestarted: false,
  ...over,
});

describe('run status', () => {
  const run = [stage('run')];
  const both = [stage('compile'), stage('run')];

  it('maps the run stage exit and its limit', () => {
    expect(runStatus(run, [exit()])).toBe('ok');
    expect(runStatus(run, [exit({ exitCode: 1 })])).toBe('runtime_error');
    expect(runStatus(run, [exit({ exitCode: null, signal: 11 })])).toBe('runtime_error');
    expect(runStatus(run, [exit({ limit: 'wall' })])).toBe('timeout');
    expect(runStatus(run, [exit({ limit: 'cpu' })])).toBe('timeout');
    expect(runStatus(run, [exit({ limit: 'memory' })])).toBe('memory_limit');
    expect(runStatus(run, [exit({ limit: 'output' })])).toBe('output_limit');
    expect(runStatus(run, [exit({ limit: 'file_size', exitCode: null, signal: 25 })])).toBe('runtime_error');
    expect(runStatus(run, [null])).toBe('internal_error');
  });

  it('stops at a failed compile', () => {
    expect(runStatus(both, [exit({ exitCode: 1 }), null])).toBe('compile_error');
    expect(runStatus(both, [exit({ limit: 'wall' }), null])).toBe('timeout');
    expect(runStatus(both, [exit({ limit: 'output' }), null])).toBe('compile_error');
    expect(runStatus(both, [exit(), exit({ exitCode: 2 })])).toBe('runtime_error');
  });

  it('names signals', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(null)).toBeNull();
  });
});

describe('RunCollector', () => {
  it('keeps each stage output apart and clips what an agent sends past the cap', () => {
    const collector = new RunCollector([stage('compile'), stage('run', 4)]);
    collector.onEvent({ type: 'stage-begin', stage: 0 });
    collector.onEvent({ type: 'stderr', data: Buffer.from('warn') });
    collector.onEvent({ type: 'stage-exit', exit: exit() });
    collector.onEvent({ type: 'stage-begin', stage: 1 });
    collector.onEvent({ type: 'stdout', data: Buffer.from('abc') });
    const kept = collector.onEvent({ type: 'stdout', data: Buffer.from('defg') });
    expect(kept?.type === 'stdout' && kept.data.toString()).toBe('d');
    expect(collector.onEvent({ type: 'stdout', data: Buffer.from('h') })).toBeNull();
    collector.onEvent({ type: 'stage-exit', exit: exit({ stage: 1 }) });
    expect(collector.resultOf(0)?.stderr).toBe('warn');
    const run = collector.resultOf(1);
    expect(run?.stdout).toBe('abcd');
    expect(run?.stdoutTruncated).toBe(true);
  });

  it('turns invalid UTF-8 into replacement characters rather than failing', () => {
    const collector = new RunCollector([stage('run')]);
    collector.onEvent({ type: 'stage-begin', stage: 0 });
    collector.onEvent({ type: 'stdout', data: Buffer.from([0xff, 0x41]) });
    collector.onEvent({ type: 'stage-exit', exit: exit() });
    expect(collector.resultOf(0)?.stdout).toBe('\ufffdA');
  });
});
