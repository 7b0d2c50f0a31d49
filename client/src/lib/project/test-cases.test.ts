import { MAX_TESTS } from '@coderunner/protocol';
import { describe, expect, it } from 'vitest';
import { readTestCases } from './test-cases';

describe('reading test cases', () => {
  it("accepts what a run request's tests accept, every field included", () => {
    const tests = [
      { name: 'small', stdin: '1 2\n', expectedOutput: '3\n', points: 2 },
      { expectedOutput: '2e9', compare: { type: 'float', relative: 1e-9 } },
      {
        args: ['--fast'],
        files: [{ name: 'in.txt', content: 'x' }],
        timeoutMs: 500,
        memoryMb: 64,
        hidden: true,
      },
    ];
    expect(readTestCases(tests)).toEqual({ tests });
  });

  it('names the test and the field that is wrong', () => {
    expect(readTestCases({ tests: [] })).toEqual({ problem: expect.stringContaining('JSON array') });
    expect(readTestCases([{}, { points: -1 }])).toEqual({
      problem: expect.stringMatching(/^test #2 points: /),
    });
    expect(readTestCases([{ stdin: 3 }])).toEqual({ problem: expect.stringMatching(/^test #1 stdin: /) });
    expect(readTestCases([{ expected: 'x' }])).toEqual({
      problem: expect.stringMatching(/^test #1: .*expected/),
    });
    expect(readTestCases(['x'])).toEqual({ problem: expect.stringMatching(/^test #1: /) });
    expect(readTestCases(Array.from({ length: MAX_TESTS + 1 }, () => ({})))).toEqual({
      problem: `at most ${MAX_TESTS} test cases are allowed (found ${MAX_TESTS + 1})`,
    });
  });
});
