import type {
  OutputFile,
  StageResult,
  TestCase,
  TestResult,
  TestScore,
  TestVerdict,
} from '@coderunner/protocol';
import type { StageExit } from '../sandbox/agent-protocol.js';
import { compareOutput } from './test-compare.js';

/** What deciding one test's verdict needs: its stage's exit and output (null when the stage never ran). */
export interface TestOutcome {
  exit: StageExit | null;
  result: StageResult | null;
  /** The files the test's run left under out/. */
  outputs?: { files: OutputFile[]; truncated: boolean };
}

/** The name a test without one is reported under. */
export function testName(test: TestCase, index: number): string {
  return test.name ?? `test ${index + 1}`;
}

/**
 * A test's verdict from how its stage ended, then (for a program that ended normally) its output against the
 * expected output. `compileFailed`: no test ran because the compile failed.
 */
export function testVerdict(
  test: TestCase,
  outcome: TestOutcome,
  compileFailed: boolean,
): { verdict: TestVerdict; diff?: TestResult['diff']; message?: string } {
  if (compileFailed) return { verdict: 'compile_error' };
  const { exit, result } = outcome;
  if (!exit || !result) return { verdict: 'skipped' };
  switch (exit.limit) {
    case 'wall':
    case 'cpu':
      return { verdict: 'timeout' };
    case 'memory':
      return { verdict: 'memory_limit' };
    case 'output':
      return { verdict: 'output_limit' };
    default:
      break;
  }
  if (test.memoryMb !== undefined && exit.memoryKb > test.memoryMb * 1024) {
    return { verdict: 'memory_limit', message: `used ${exit.memoryKb} KiB, more than ${test.memoryMb} MiB` };
  }
  if (exit.exitCode !== 0) return { verdict: 'runtime_error' };
  // A checker's verdict replaces this provisional pass once the checker has run (runs/checker.ts).
  if (test.expectedOutput === undefined || test.compare === 'checker') return { verdict: 'passed' };
  const comparison = compareOutput(result.stdout, test.expectedOutput, test.compare);
  if (comparison.equal) return { verdict: 'passed' };
  return {
    verdict: 'wrong_answer',
    ...(comparison.diff ? { diff: comparison.diff } : {}),
    ...(comparison.message ? { message: comparison.message } : {}),
  };
}

/** The API view of test `index`; a hidden test shows only its verdict. */
export function testResult(
  test: TestCase,
  index: number,
  outcome: TestOutcome,
  compileFailed: boolean,
): TestResult {
  const { verdict, diff, message } = testVerdict(test, outcome, compileFailed);
  const points = verdict === 'passed' ? (test.points ?? 1) : 0;
  const hidden = test.hidden === true;
  const base: TestResult = { name: testName(test, index), verdict, points, hidden };
  const r = outcome.result;
  if (hidden || !r) return base;
  return {
    ...base,
    stdout: r.stdout,
    stderr: r.stderr,
    exitCode: r.exitCode,
    signal: r.signal,
    wallTimeMs: r.wallTimeMs,
    cpuTimeMs: r.cpuTimeMs,
    memoryKb: r.memoryKb,
    ...(diff ? { diff } : {}),
    ...(message ? { message } : {}),
    ...(outcome.outputs && (outcome.outputs.files.length > 0 || outcome.outputs.truncated)
      ? { outputs: outcome.outputs.files, outputsTruncated: outcome.outputs.truncated }
      : {}),
  };
}

/** Every test in request order, and the score. */
export function testResults(
  tests: readonly TestCase[],
  outcomes: readonly TestOutcome[],
  compileFailed: boolean,
): { tests: TestResult[]; score: TestScore } {
  const score: TestScore = { passed: 0, total: tests.length, points: 0, maxPoints: 0 };
  const results = tests.map((test, i) => {
    const result = testResult(test, i, outcomes[i] ?? { exit: null, result: null }, compileFailed);
    score.maxPoints += test.points ?? 1;
    score.points += result.points;
    if (result.verdict === 'passed') score.passed++;
    return result;
  });
  return { tests: results, score };
}

/** Whether a test's stage ended in a pass: with stopOnFirstFailure, the next test runs only then. */
export function passed(test: TestCase, outcome: TestOutcome): boolean {
  return testVerdict(test, outcome, false).verdict === 'passed';
}
