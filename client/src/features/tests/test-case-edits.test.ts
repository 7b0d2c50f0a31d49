import { describe, expect, it } from 'vitest';
import {
  compareChoice,
  compareChoices,
  newTestCase,
  withCompare,
  withHidden,
  withPoints,
  withText,
} from './test-case-edits';

describe('editing a test case', () => {
  it('leaves empty fields out so that the protocol defaults apply', () => {
    const test = { name: 'a', stdin: 'x', expectedOutput: 'y', points: 2, hidden: true };
    expect(withText(test, 'stdin', '')).toEqual({ name: 'a', expectedOutput: 'y', points: 2, hidden: true });
    expect(withText(test, 'name', 'b')).toMatchObject({ name: 'b' });
    expect(withPoints(test, '')).not.toHaveProperty('points');
    expect(withPoints(test, '3.5')).toMatchObject({ points: 3.5 });
    expect(withPoints(test, '-1')).toBe(test);
    expect(withPoints(test, 'abc')).toBe(test);
    expect(withHidden(test, false)).not.toHaveProperty('hidden');
    expect(withHidden({}, true)).toEqual({ hidden: true });
  });

  it('maps comparators to the select and back, keeping float tolerances and unshown fields', () => {
    expect(compareChoice(undefined)).toBe('trim');
    expect(compareChoice('regex')).toBe('regex');
    const float = { compare: { type: 'float' as const, relative: 1e-9 }, args: ['-v'], timeoutMs: 500 };
    expect(compareChoice(float.compare)).toBe('float');
    expect(withCompare(float, 'float')).toBe(float);
    expect(withCompare(float, 'exact')).toEqual({ compare: 'exact', args: ['-v'], timeoutMs: 500 });
    expect(withCompare({ compare: 'exact' }, 'trim')).toEqual({});
    expect(compareChoices('trim').map((c) => c.value)).not.toContain('checker');
    expect(compareChoices('checker').map((c) => c.value)).toContain('checker');
  });

  it('names a new test after its place in the list', () => {
    expect(newTestCase([{}, {}])).toEqual({ name: 'test 3', stdin: '', expectedOutput: '' });
  });
});
