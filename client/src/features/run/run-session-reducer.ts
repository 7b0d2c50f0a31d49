// The run session as an explicit state machine driven by WebSocket frames and the student's actions:
// idle -> connecting -> queued -> (compiling ->) running -> finished | failed.
import type { RunResponse, ServerMessage, StageName, TestResult } from '@coderunner/protocol';
import { describeCloseCode } from '../../lib/api/close-codes';
import { appendChunk, type TranscriptChunk } from '../../lib/transcript';

export type RunPhase = 'idle' | 'connecting' | 'queued' | 'compiling' | 'running' | 'finished' | 'failed';

/** How a stage ended: the `stage-exit` frame without its type and stage. */
export type StageExit = Omit<Extract<ServerMessage, { type: 'stage-exit' }>, 'type' | 'stage'>;

export interface RunSessionState {
  phase: RunPhase;
  chunks: TranscriptChunk[];
  /** The stage typed input and output belong to (run until a compile stage starts). */
  stage: StageName;
  exits: Partial<Record<StageName, StageExit>>;
  result: RunResponse | null;
  error: { code: string; message: string } | null;
  stopRequested: boolean;
  inputClosed: boolean;
  /**
   * A test run's results by test index, each null until its `test` message arrives (the final result replaces
   * them all); null for a run without test cases.
   */
  tests: (TestResult | null)[] | null;
}

export type RunEvent =
  /** A run starts; `tests` is how many test cases it carries (none: a plain run). */
  | { type: 'start'; tests?: number }
  | { type: 'refused'; message: string }
  | { type: 'message'; message: ServerMessage }
  | { type: 'typed'; text: string }
  | { type: 'eof' }
  | { type: 'stop' }
  /** The connection could not be opened (no ticket: the server refused, or the network failed). */
  | { type: 'connect-failed'; error: { code: string; message: string } }
  | { type: 'closed'; code: number };

export const IDLE_SESSION: RunSessionState = Object.freeze({
  phase: 'idle',
  chunks: [],
  stage: 'run',
  exits: {},
  result: null,
  error: null,
  stopRequested: false,
  inputClosed: false,
  tests: null,
});

/** True while a run is under way (the Stop button and typed input apply). */
export function isActive(phase: RunPhase): boolean {
  return phase === 'connecting' || phase === 'queued' || phase === 'compiling' || phase === 'running';
}

function onMessage(state: RunSessionState, message: ServerMessage): RunSessionState {
  switch (message.type) {
    case 'accepted':
      return { ...state, phase: 'queued' };
    case 'stage':
      return { ...state, stage: message.stage, phase: message.stage === 'compile' ? 'compiling' : 'running' };
    case 'stdout':
    case 'stderr':
      return {
        ...state,
        chunks: appendChunk(state.chunks, { stage: message.stage, stream: message.type, text: message.data }),
      };
    case 'stage-exit': {
      const { type: _type, stage, ...exit } = message;
      return { ...state, exits: { ...state.exits, [stage]: exit } };
    }
    case 'test': {
      // Out-of-range indexes (not from this run's request) are ignored rather than growing the list.
      if (!state.tests || message.index < 0 || message.index >= state.tests.length) return state;
      const tests = state.tests.slice();
      tests[message.index] = message.result;
      return { ...state, tests };
    }
    case 'result': {
      const { type: _type, ...result } = message;
      const tests = result.tests && state.tests ? result.tests : state.tests;
      return { ...state, phase: 'finished', result, tests };
    }
    case 'error':
      return { ...state, phase: 'failed', error: { code: message.code, message: message.message } };
  }
}

/** Applies one event to the session. */
export function reduceRunSession(state: RunSessionState, event: RunEvent): RunSessionState {
  switch (event.type) {
    case 'start':
      return {
        ...IDLE_SESSION,
        phase: 'connecting',
        tests: event.tests === undefined ? null : Array.from({ length: event.tests }, () => null),
      };
    case 'refused':
      return { ...IDLE_SESSION, phase: 'failed', error: { code: 'not_runnable', message: event.message } };
    case 'message':
      return isActive(state.phase) ? onMessage(state, event.message) : state;
    case 'typed':
      if (!isActive(state.phase) || state.inputClosed) return state;
      return {
        ...state,
        chunks: appendChunk(state.chunks, { stage: state.stage, stream: 'stdin', text: event.text }),
      };
    case 'eof':
      if (!isActive(state.phase) || state.inputClosed) return state;
      return {
        ...state,
        inputClosed: true,
        chunks: appendChunk(state.chunks, { stage: state.stage, stream: 'note', text: '[end of input]\n' }),
      };
    case 'stop':
      return isActive(state.phase) ? { ...state, stopRequested: true } : state;
    case 'connect-failed':
      if (!isActive(state.phase)) return state;
      return {
        ...state,
        phase: 'failed',
        error: state.stopRequested
          ? { code: 'stopped', message: 'stopped before the program started' }
          : event.error,
      };
    case 'closed':
      if (!isActive(state.phase)) return state;
      return {
        ...state,
        phase: 'failed',
        error: state.stopRequested
          ? { code: 'stopped', message: 'stopped before the program started' }
          : { code: `close_${event.code}`, message: describeCloseCode(event.code) },
      };
  }
}
