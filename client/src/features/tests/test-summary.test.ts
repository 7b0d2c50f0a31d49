import type { TestResult } from '@coderunner/protocol';
import { describe, expect, it } from 'vitest';
import { describeResult, describeSummary, summarize } from './test-summary';

const result = (verdict: TestResult['verdict'], points = 0, hidden = false): TestResult => ({
  name: 'sum',
  verdict,
  points,
  hidden,
});

describe('the test summary', () => {
  it('counts what has arrived while the tests run', () => {
    const summary = summarize([result('passed', 2), null, result('wrong_answer')], null);
    expect(summary).toEqual({ done: 2, total: 3, passed: 1, points: 2, maxPoints: null });
    expect(describeSummary(summary, true)).toBe('2 of 3 run · 1 of 3 passed');
    expect(describeSummary(summary, false)).toBe('1 of 3 passed (unfinished)');
  });

  it('takes the final score from the server', () => {
    const summary = summarize([result('passed', 2), result('timeout')], {
      passed: 1,
      total: 2,
      points: 2,
      maxPoints: 2.5,
    });
    expect(summary).toEqual({ done: 2, total: 2, passed: 1, points: 2, maxPoints: 2.5 });
    expect(describeSummary(summary, false)).toBe('1 of 2 passed · 2 of 2.50 points');
  });

  it("reads out a verdict with the test's place and name", () => {
    expect(describeResult(1, result('wrong_answer'))).toBe('Test 2, sum: Wrong answer');
    expect(describeResult(4, result('passed', 1, true))).toBe('Test 5, sum (hidden): Passed');
  });
});
