// Test cases as a JSON file: the same shape as a run request's `tests`, so a teacher's file works both here and
// in a POST /api/v1/runs body. Importing checks every test against the protocol and says what is wrong, where.
import { readTestCases, type TestCase } from '../../lib/project/test-cases';

/** The file's text: the tests as a pretty-printed JSON array, ending in a newline. */
export function exportTestCases(tests: readonly TestCase[]): string {
  return `${JSON.stringify(tests, null, 2)}\n`;
}

/**
 * Reads an imported file: a JSON array of test cases, or an object with a `tests` array (a whole run request),
 * checked against the protocol. Returns the tests or the first problem, worded for the person who chose the file.
 */
export function importTestCases(text: string): { tests: TestCase[] } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problem: `the file is not JSON (${err instanceof Error ? err.message : 'unreadable'})` };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'tests' in value)
    value = value.tests;
  return readTestCases(value);
}
