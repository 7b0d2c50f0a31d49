import { describe, expect, it } from 'vitest';
import { compareOutput } from './test-compare.js';

describe('test output comparators', () => {
  it.each([
    ['exact', 'a b\n', 'a b\n', true],
    ['exact', 'a b', 'a b\n', false],
    ['trim', 'a b  \n\n\n', 'a b\n', true],
    ['trim', 'a\r\nb\r\n', 'a\nb', true],
    ['trim', 'a  b\n', 'a b\n', false],
    ['tokens', 'a   b\n\n c', 'a b c', true],
    ['tokens', 'a b', 'a b c', false],
    ['float', '3.1415927 2', '3.14159265 2.0000000001', true],
    ['float', '3.15', '3.14', false],
    ['float', 'x 1', 'y 1', false],
    ['regex', 'Hello, World!\n', 'Hello, \\w+!', true],
    ['regex', 'Hello, World!\nmore', 'Hello, \\w+!', false],
    ['regex', 'line1\nline2\n', 'line1.line2', true],
  ] as const)('%s: %j against %j is %s', (compare, actual, expected, equal) => {
    expect(compareOutput(actual, expected, compare).equal).toBe(equal);
  });

  it('defaults to trim', () => {
    expect(compareOutput('42  \n', '42').equal).toBe(true);
  });

  it('takes float tolerances', () => {
    expect(compareOutput('1.05', '1', { type: 'float', absolute: 0.1 }).equal).toBe(true);
    expect(compareOutput('105', '100', { type: 'float', absolute: 0, relative: 0.01 }).equal).toBe(false);
    expect(compareOutput('100.5', '100', { type: 'float', absolute: 0, relative: 0.01 }).equal).toBe(true);
  });

  it('gives the first differing line and column, both sides', () => {
    expect(compareOutput('1\n2\n4\n', '1\n2\n3\n').diff).toEqual({
      line: 3,
      column: 1,
      expected: '3',
      actual: '4',
    });
    expect(compareOutput('abcdef\n', 'abcXef\n', 'exact').diff).toMatchObject({ line: 1, column: 4 });
    expect(compareOutput('1\n', '1\n2\n').diff).toEqual({
      line: 2,
      column: 1,
      expected: '2',
      actual: '(end of output)',
    });
  });

  it('locates a token difference in the actual output', () => {
    expect(compareOutput('a b\nc  X d', 'a b c d', 'tokens').diff).toMatchObject({ line: 2, column: 4 });
  });

  it('clips long lines around the difference', () => {
    const long = 'x'.repeat(5000);
    const diff = compareOutput(`${long}A${long}\n`, `${long}B${long}\n`).diff!;
    expect(diff.column).toBe(5001);
    expect(diff.actual.length).toBeLessThanOrEqual(202);
    expect(diff.actual).toContain('A');
    expect(diff.expected).toContain('B');
  });

  it('matches regular expressions in linear time and reports a bad one', () => {
    // A backtracking engine would not finish this within the test's timeout.
    expect(compareOutput(`${'a'.repeat(50000)}c`, '(a+)+b', 'regex').equal).toBe(false);
    expect(compareOutput('x', '(', 'regex').message).toContain('not a valid regular expression');
  });
});
