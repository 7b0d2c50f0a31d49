// The test cases kept with a project: the same shape as a run request's `tests` (protocol/src/test-cases.ts), so
// an exported file can be sent as-is. What is read back (from storage or an imported file) is checked against the
// protocol's schema; the server's own maximums for time and memory are not known here, so it alone checks those.
import { createTestCaseSchema, MAX_TESTS, type TestCase } from '@coderunner/protocol';

export type { TestCase };

const testCaseSchema = createTestCaseSchema(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

/** Checks one test case; the problem names the test (1-based) and the field. */
export function readTestCase(value: unknown, index: number): { test: TestCase } | { problem: string } {
  const parsed = testCaseSchema.safeParse(value);
  if (parsed.success) return { test: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` ${issue.path.map(String).join('.')}` : '';
  const what =
    issue?.path[0] === 'compare'
      ? 'must be "exact", "trim", "tokens", "float", "regex" or { "type": "float", "absolute"?, "relative"? }'
      : issue?.code === 'unrecognized_keys'
        ? issue.message.toLowerCase()
        : (issue?.message ?? 'invalid');
  return { problem: `test #${index + 1}${where}: ${what}` };
}

/** Checks a list of test cases (at most MAX_TESTS): all of them, or the first problem. */
export function readTestCases(value: unknown): { tests: TestCase[] } | { problem: string } {
  if (!Array.isArray(value))
    return { problem: 'expected a JSON array of test cases, like a run request\'s "tests"' };
  if (value.length > MAX_TESTS)
    return { problem: `at most ${MAX_TESTS} test cases are allowed (found ${value.length})` };
  const tests: TestCase[] = [];
  for (const [i, item] of value.entries()) {
    const read = readTestCase(item, i);
    if ('problem' in read) return read;
    tests.push(read.test);
  }
  return { tests };
}
