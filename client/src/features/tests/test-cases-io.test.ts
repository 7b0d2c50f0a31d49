import { describe, expect, it } from 'vitest';
import { exportTestCases, importTestCases } from './test-cases-io';

const tests = [
  { name: 'small', stdin: '1 2\n', expectedOutput: '3\n', points: 2 },
  { name: 'secret', stdin: '5 5\n', expectedOutput: '10', compare: 'tokens' as const, hidden: true },
];

describe('test cases as a JSON file', () => {
  it('exports the request shape and reads it back unchanged', () => {
    const text = exportTestCases(tests);
    expect(JSON.parse(text)).toEqual(tests);
    expect(text.endsWith('\n')).toBe(true);
    expect(importTestCases(text)).toEqual({ tests });
  });

  it('also takes a whole run request and uses its tests', () => {
    expect(importTestCases(JSON.stringify({ language: 'python', files: [], tests }))).toEqual({ tests });
  });

  it('says clearly why a file cannot be imported', () => {
    expect(importTestCases('[{')).toEqual({ problem: expect.stringMatching(/^the file is not JSON \(/) });
    expect(importTestCases('{"name":"x"}')).toEqual({ problem: expect.stringContaining('JSON array') });
    expect(importTestCases('[{"name":"ok"},{"expected":"3"}]')).toEqual({
      problem: 'test #2: unrecognized key: "expected"',
    });
    expect(importTestCases('[{"compare":"fuzzy"}]')).toEqual({
      problem: expect.stringMatching(/^test #1 compare: must be "exact", "trim", "tokens", "float", "regex"/),
    });
    expect(importTestCases('[{"timeoutMs":5}]')).toEqual({
      problem: expect.stringMatching(/^test #1 timeoutMs: /),
    });
  });
});
