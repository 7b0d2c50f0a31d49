import type { RunRequest, RunResponse, TestCase, TestResult } from '@coderunner/protocol';

/** The files a checker reads, by the paths it gets as its last three arguments. */
export const CHECKER_FILES = {
  input: 'checker-input.txt',
  expected: 'checker-expected.txt',
  actual: 'checker-actual.txt',
} as const;

/** Longest checker message kept. */
const MAX_MESSAGE = 1000;

/** The checker run for a finished run, and which of its tests each checker test judges. */
export interface CheckerPlan {
  body: RunRequest;
  /** tests[i] of the run for the checker's test i. */
  indices: number[];
}

/**
 * Plans the checker run: one checker test per test with `compare: "checker"` whose program ended normally (its
 * provisional verdict is `passed`), with the test's input, expected output and the program's output as files and
 * the output also on stdin. Null when there is nothing to check.
 */
export function planChecker(
  body: RunRequest,
  response: RunResponse,
  actual: ReadonlyMap<number, string>,
): CheckerPlan | null {
  const checker = body.checker;
  const tests = body.tests;
  if (!checker || !tests || !response.tests) return null;
  const indices = tests.flatMap((test, i) =>
    test.compare === 'checker' && response.tests![i]?.verdict === 'passed' ? [i] : [],
  );
  if (indices.length === 0) return null;
  const args = [...(checker.args ?? []), CHECKER_FILES.input, CHECKER_FILES.expected, CHECKER_FILES.actual];
  return {
    indices,
    body: {
      language: checker.language,
      files: checker.files,
      tests: indices.map((i) => {
        const test = tests[i]!;
        const output = actual.get(i) ?? '';
        return {
          args,
          stdin: output,
          files: [
            { name: CHECKER_FILES.input, content: test.stdin ?? '' },
            { name: CHECKER_FILES.expected, content: test.expectedOutput ?? '' },
            { name: CHECKER_FILES.actual, content: output },
          ],
        };
      }),
    },
  };
}

function judged(test: TestCase, result: TestResult, verdict: TestResult['verdict'], message: string): void {
  result.verdict = verdict;
  result.points = verdict === 'passed' ? (test.points ?? 1) : 0;
  if (!result.hidden && message !== '') result.message = message.slice(0, MAX_MESSAGE);
}

/**
 * Applies the checker's verdicts to the run's tests and recomputes the score: its test passed (exit 0) accepts,
 * a plain exit 1 rejects, and anything else (or a checker run that failed) is `checker_error`.
 */
export function applyChecker(
  body: RunRequest,
  response: RunResponse,
  plan: CheckerPlan,
  checked: RunResponse | null,
  failure: string | null,
): void {
  const tests = body.tests!;
  const results = response.tests!;
  for (const [k, i] of plan.indices.entries()) {
    const result = results[i]!;
    const test = tests[i]!;
    const own = checked?.tests?.[k];
    if (!checked || checked.status !== 'ok' || !own) {
      const why =
        failure ??
        (checked?.status === 'compile_error'
          ? `the checker did not compile: ${checked.compile?.stderr ?? ''}`
          : `the checker could not run (${checked?.status ?? 'no result'})`);
      judged(test, result, 'checker_error', why.trim());
      continue;
    }
    const message = (own.stdout ?? '').trim();
    if (own.verdict === 'passed') judged(test, result, 'passed', message);
    else if (own.verdict === 'runtime_error' && own.exitCode === 1)
      judged(test, result, 'wrong_answer', message);
    else
      judged(
        test,
        result,
        'checker_error',
        `the checker ended with ${own.verdict} (exit ${own.exitCode ?? own.signal})`,
      );
  }
  const score = response.score!;
  score.passed = results.filter((r) => r.verdict === 'passed').length;
  score.points = results.reduce((sum, r) => sum + r.points, 0);
}
