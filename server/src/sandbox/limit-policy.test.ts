import { describe, expect, it } from 'vitest';
import type { AgentRequest, AgentStage } from './agent-protocol.js';
import { applyPlan, planLimits } from './limit-policy.js';

const small = { memoryMb: 256, pids: 64 };
const big = { memoryMb: 1024, pids: 256 };

function stage(name: AgentStage['name']): AgentStage {
  return {
    name,
    argv: ['x'],
    env: [],
    wallMs: 1000,
    cpuMs: 1000,
    fileSizeBytes: 1,
    outputBytes: 1,
    attachStdin: false,
    pauseBefore: false,
  };
}

describe('planLimits', () => {
  it('under runc changes a warm container before the first stage and pauses before the run stage', () => {
    expect(planLimits(true, big, { first: big, run: small })).toEqual({
      dedicated: false,
      initial: null,
      beforeRun: small,
    });
    expect(planLimits(true, small, { first: big, run: big })).toEqual({
      dedicated: false,
      initial: big,
      beforeRun: null,
    });
    expect(planLimits(true, small, { first: small, run: small })).toEqual({
      dedicated: false,
      initial: null,
      beforeRun: null,
    });
  });

  it('under gVisor makes a container to measure when the pool does not fit, and never pauses', () => {
    expect(planLimits(false, small, { first: big, run: small })).toEqual({
      dedicated: true,
      initial: null,
      beforeRun: null,
    });
    expect(planLimits(false, big, { first: big, run: small })).toEqual({
      dedicated: false,
      initial: null,
      beforeRun: null,
    });
  });
});

describe('applyPlan', () => {
  it('sets the pause on the run stage only when limits change before it, on a copy', () => {
    const request: AgentRequest = {
      files: [],
      stages: [stage('compile'), stage('run')],
      stdin: Buffer.alloc(0),
      closeStdin: true,
    };
    const paused = applyPlan(request, { dedicated: false, initial: null, beforeRun: small });
    expect(paused.stages.map((s) => s.pauseBefore)).toEqual([false, true]);
    expect(request.stages.map((s) => s.pauseBefore)).toEqual([false, false]);
    const plain = applyPlan(request, { dedicated: false, initial: null, beforeRun: null });
    expect(plain.stages.map((s) => s.pauseBefore)).toEqual([false, false]);
  });
});
