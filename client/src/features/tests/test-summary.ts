// What the score bar and the verdict list say, from the results streamed so far or the final score.
import type { TestResult, TestScore, TestVerdict } from '@coderunner/protocol';

export const VERDICT_LABELS: Record<TestVerdict, string> = {
  passed: 'Passed',
  wrong_answer: 'Wrong answer',
  timeout: 'Time limit exceeded',
  runtime_error: 'Runtime error',
  memory_limit: 'Memory limit exceeded',
  output_limit: 'Output limit exceeded',
  compile_error: 'Compile error',
  skipped: 'Skipped',
  checker_error: "Checker error (the teacher's checker failed)",
};

export interface TestSummary {
  /** Tests with a verdict so far. */
  done: number;
  total: number;
  passed: number;
  points: number;
  /** Known once the final score arrives (the server applies the default of 1 point). */
  maxPoints: number | null;
}

/** Sums up the results: the server's score when the run has ended, else a count of what has arrived. */
export function summarize(results: readonly (TestResult | null)[], score: TestScore | null): TestSummary {
  const arrived = results.filter((r): r is TestResult => r !== null);
  if (score) return { done: score.total, ...score };
  return {
    done: arrived.length,
    total: results.length,
    passed: arrived.filter((r) => r.verdict === 'passed').length,
    points: arrived.reduce((sum, r) => sum + r.points, 0),
    maxPoints: null,
  };
}

/** The score bar's words, e.g. "4 of 5 passed · 6 of 8 points", or the progress while the tests run. */
export function describeSummary(summary: TestSummary, running: boolean): string {
  const points = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
  const passed = `${summary.passed} of ${summary.total} passed`;
  if (summary.maxPoints === null)
    return running ? `${summary.done} of ${summary.total} run · ${passed}` : `${passed} (unfinished)`;
  return `${passed} · ${points(summary.points)} of ${points(summary.maxPoints)} points`;
}

/** How a test's verdict is read out: its place, name and verdict, and points when it scored. */
export function describeResult(index: number, result: TestResult): string {
  const hidden = result.hidden ? ' (hidden)' : '';
  return `Test ${index + 1}, ${result.name}${hidden}: ${VERDICT_LABELS[result.verdict]}`;
}
