import { describe, expect, it } from 'vitest';
import { WS_CLOSE, type ServerMessage, type TestResult } from '@coderunner/protocol';
import {
  IDLE_SESSION,
  isActive,
  reduceRunSession,
  type RunEvent,
  type RunSessionState,
} from './run-session-reducer';

const exit = {
  exitCode: 0,
  signal: null,
  wallTimeMs: 10,
  cpuTimeMs: 5,
  memoryKb: 8000,
  stdoutTruncated: false,
  stderrTruncated: false,
};
const msg = (message: ServerMessage): RunEvent => ({ type: 'message', message });
const play = (events: RunEvent[], from: RunSessionState = IDLE_SESSION) =>
  events.reduce(reduceRunSession, from);

describe('the run session state machine', () => {
  it('walks connecting, queued, compiling, running, finished and keeps output by stage and stream', () => {
    const states: string[] = [];
    let state = IDLE_SESSION;
    const events: RunEvent[] = [
      { type: 'start' },
      msg({ type: 'accepted', language: 'c', version: '14' }),
      msg({ type: 'stage', stage: 'compile' }),
      msg({ type: 'stderr', stage: 'compile', data: 'warning: x\n' }),
      msg({ type: 'stage-exit', stage: 'compile', limit: 'none', ...exit }),
      msg({ type: 'stage', stage: 'run' }),
      msg({ type: 'stdout', stage: 'run', data: 'he' }),
      msg({ type: 'stdout', stage: 'run', data: 'llo\n' }),
      msg({ type: 'stderr', stage: 'run', data: 'oops\n' }),
      msg({
        type: 'result',
        id: 'r',
        language: 'c',
        version: '14',
        status: 'ok',
        compile: null,
        run: null,
        timings: { queueMs: 0, acquireMs: 0, executeMs: 1, totalMs: 1 },
      }),
    ];
    for (const event of events) {
      state = reduceRunSession(state, event);
      states.push(state.phase);
    }
    expect([...new Set(states)]).toEqual(['connecting', 'queued', 'compiling', 'running', 'finished']);
    expect(state.chunks).toEqual([
      { stage: 'compile', stream: 'stderr', text: 'warning: x\n' },
      { stage: 'run', stream: 'stdout', text: 'hello\n' },
      { stage: 'run', stream: 'stderr', text: 'oops\n' },
    ]);
    expect(state.exits.compile?.exitCode).toBe(0);
    expect(state.result?.status).toBe('ok');
  });

  it('echoes typed input and end-of-input into the transcript, once input is closed no more', () => {
    const state = play([
      { type: 'start' },
      msg({ type: 'stage', stage: 'run' }),
      { type: 'typed', text: 'Ada\n' },
      { type: 'eof' },
      { type: 'typed', text: 'late\n' },
      { type: 'eof' },
    ]);
    expect(state.inputClosed).toBe(true);
    expect(state.chunks.map((c) => [c.stream, c.text])).toEqual([
      ['stdin', 'Ada\n'],
      ['note', '[end of input]\n'],
    ]);
  });

  it('fails with the server error frame, and ignores the close that follows it', () => {
    const state = play([
      { type: 'start' },
      msg({ type: 'error', code: 'CR_ERR_RUN_UNKNOWN_LANGUAGE', message: 'no cobol' }),
      { type: 'closed', code: 4400 },
    ]);
    expect(state.phase).toBe('failed');
    expect(state.error).toEqual({ code: 'CR_ERR_RUN_UNKNOWN_LANGUAGE', message: 'no cobol' });
  });

  it('fails with a readable reason when the connection drops mid-run', () => {
    const busy = play([{ type: 'start' }, { type: 'closed', code: 4429 }]);
    expect(busy.error?.message).toMatch(/busy/);
    const dropped = play([{ type: 'start' }, { type: 'closed', code: 1006 }]);
    expect(dropped.error?.message).toMatch(/1006/);
    const stopped = play([{ type: 'start' }, { type: 'stop' }, { type: 'closed', code: 1006 }]);
    expect(stopped.error?.code).toBe('stopped');
  });

  it('fails with the reason no connection could be opened, or as stopped when the student stopped it', () => {
    const error = { code: 'CR_ERR_HTTP_RATE_LIMITED', message: 'Too many requests' };
    const refused = play([{ type: 'start' }, { type: 'connect-failed', error }]);
    expect(refused.phase).toBe('failed');
    expect(refused.error).toEqual(error);
    const stopped = play([{ type: 'start' }, { type: 'stop' }, { type: 'connect-failed', error }]);
    expect(stopped.error?.code).toBe('stopped');
    expect(play([{ type: 'connect-failed', error }])).toBe(IDLE_SESSION);
  });

  it('says what each close code of the protocol means, the new early-message limit included', () => {
    const said = (code: number) =>
      play([{ type: 'start' }, { type: 'closed', code }]).error?.message ?? 'no error';
    expect(said(WS_CLOSE.tooMuchEarly)).toMatch(/before the program started/);
    expect(said(WS_CLOSE.unavailable)).toMatch(/no sandbox/);
    expect(said(WS_CLOSE.internal)).toMatch(/internal error/);
    expect(said(WS_CLOSE.badRequest)).toMatch(/rejected/);
    expect(said(WS_CLOSE.normal)).toMatch(/without a readable result/);
    const words = Object.values(WS_CLOSE).map(said);
    expect(new Set(words).size).toBe(words.length);
    expect(words.some((w) => w.includes('unexpectedly'))).toBe(false);
  });

  it('ignores frames and actions once the run is over', () => {
    const done = play([{ type: 'start' }, msg({ type: 'error', code: 'x', message: 'y' })]);
    expect(
      play(
        [msg({ type: 'stdout', stage: 'run', data: 'late' }), { type: 'stop' }, { type: 'typed', text: 'x' }],
        done,
      ),
    ).toBe(done);
    expect(isActive(done.phase)).toBe(false);
  });

  it("fills in test verdicts as they stream in, then takes the final result's", () => {
    const test = (name: string, verdict: TestResult['verdict']): TestResult => ({
      name,
      verdict,
      points: verdict === 'passed' ? 1 : 0,
      hidden: false,
    });
    const streaming = play([
      { type: 'start', tests: 3 },
      msg({ type: 'accepted', language: 'python', version: '3' }),
      msg({ type: 'stage', stage: 'run' }),
      msg({ type: 'test', index: 1, result: test('b', 'wrong_answer') }),
      msg({ type: 'test', index: 7, result: test('stray', 'passed') }),
    ]);
    expect(streaming.tests).toEqual([null, test('b', 'wrong_answer'), null]);
    const first = play([msg({ type: 'test', index: 0, result: test('a', 'passed') })], streaming);
    expect(first.tests?.[0]?.verdict).toBe('passed');
    expect(streaming.tests?.[0]).toBeNull(); // states are never changed in place
    const final = [test('a', 'passed'), test('b', 'wrong_answer'), test('c', 'timeout')];
    const done = play(
      [
        msg({
          type: 'result',
          id: 'r',
          language: 'python',
          version: '3',
          status: 'ok',
          compile: null,
          run: null,
          timings: { queueMs: 0, acquireMs: 0, executeMs: 1, totalMs: 1 },
          tests: final,
          score: { passed: 1, total: 3, points: 1, maxPoints: 3 },
        }),
      ],
      first,
    );
    expect(done.phase).toBe('finished');
    expect(done.tests).toEqual(final);
  });

  it('keeps tests null for a plain run, even if test frames arrive', () => {
    const plain = play([
      { type: 'start' },
      msg({ type: 'test', index: 0, result: { name: 'x', verdict: 'passed', points: 1, hidden: false } }),
    ]);
    expect(plain.tests).toBeNull();
  });

  it('shows a refused run as failed without contacting anyone, and a new start clears everything', () => {
    const refused = reduceRunSession(IDLE_SESSION, { type: 'refused', message: 'choose the file to run' });
    expect(refused.phase).toBe('failed');
    expect(reduceRunSession(refused, { type: 'start' })).toEqual({ ...IDLE_SESSION, phase: 'connecting' });
  });
});
