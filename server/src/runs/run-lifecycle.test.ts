import { describe, expect, it } from 'vitest';
import { IllegalTransitionError, RunLifecycle, type RunState } from './run-lifecycle.js';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('RunLifecycle', () => {
  it('walks queued → acquiring → running → finished and times each state', () => {
    const c = clock();
    const life = new RunLifecycle(c.now);
    const seen: string[] = [];
    life.onTransition((from, to) => seen.push(`${from}>${to}`));
    c.advance(5);
    life.to('acquiring');
    c.advance(2);
    life.to('running');
    c.advance(10);
    life.to('finished');
    c.advance(100);
    expect(life.state).toBe('finished');
    expect(life.terminal).toBe(true);
    expect(life.durations()).toEqual({ queued: 5, acquiring: 2, running: 10 });
    expect(life.totalMs()).toBe(17);
    expect(seen).toEqual(['queued>acquiring', 'acquiring>running', 'running>finished']);
  });

  it.each<[RunState[], RunState]>([
    [[], 'running'],
    [[], 'finished'],
    [['acquiring'], 'queued'],
    [['acquiring', 'running'], 'acquiring'],
    [['cancelled'], 'running'],
    [['acquiring', 'failed'], 'cancelled'],
    [['acquiring', 'running', 'finished'], 'failed'],
  ])('after %j refuses %s', (path, illegal) => {
    const life = new RunLifecycle();
    for (const step of path) life.to(step);
    expect(life.can(illegal)).toBe(false);
    expect(() => life.to(illegal)).toThrow(IllegalTransitionError);
  });

  it('lets a live run fail or be cancelled from any live state', () => {
    for (const path of [[], ['acquiring'], ['acquiring', 'running']] as RunState[][]) {
      for (const end of ['failed', 'cancelled'] as const) {
        const life = new RunLifecycle();
        for (const step of path) life.to(step);
        life.to(end);
        expect(life.terminal).toBe(true);
      }
    }
  });
});
