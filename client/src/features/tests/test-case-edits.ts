// Editing one test case in the panel: empty fields are left out of the test (so the protocol's defaults apply:
// no input, passes when the program ends normally, 1 point), and fields the panel does not show are kept.
import type { Compare } from '@coderunner/protocol';
import type { TestCase } from '../../lib/project/test-cases';

/** A comparator as the select holds it: its name (a float comparator with tolerances is "float"). */
export type CompareChoice = Extract<Compare, string>;

/**
 * The comparators of the select, in its order, with the words shown for them. `checker` needs the request's
 * checker program, which the editor cannot attach: it is offered only for a test that already has it (imported).
 */
export const COMPARE_CHOICES: readonly { value: CompareChoice; label: string }[] = [
  { value: 'trim', label: 'Ignore trailing spaces (trim)' },
  { value: 'exact', label: 'Exact' },
  { value: 'tokens', label: 'Ignore spacing (tokens)' },
  { value: 'float', label: 'Numbers within 1e-6 (float)' },
  { value: 'regex', label: 'Regular expression (regex)' },
  { value: 'checker', label: "Teacher's checker (checker)" },
];

/** The choices the select shows for a test's current comparator. */
export function compareChoices(current: CompareChoice): readonly { value: CompareChoice; label: string }[] {
  return COMPARE_CHOICES.filter((c) => c.value !== 'checker' || current === 'checker');
}

/** The select's value for a test's comparator (a float comparator with tolerances shows as float). */
export function compareChoice(compare: Compare | undefined): CompareChoice {
  if (compare === undefined) return 'trim';
  return typeof compare === 'string' ? compare : 'float';
}

/** Sets the comparator; choosing float again keeps the tolerances of a float comparator. */
export function withCompare(test: TestCase, choice: CompareChoice): TestCase {
  if (choice === compareChoice(test.compare)) return test;
  const { compare: _old, ...rest } = test;
  return choice === 'trim' ? rest : { ...rest, compare: choice };
}

type TextField = 'name' | 'stdin' | 'expectedOutput';

/** Sets a text field; the empty string leaves the field out. */
export function withText(test: TestCase, field: TextField, value: string): TestCase {
  const { [field]: _old, ...rest } = test;
  return value === '' ? rest : { ...rest, [field]: value };
}

/** Sets the points from what was typed: empty leaves them out (1 point), anything not a number >= 0 is ignored. */
export function withPoints(test: TestCase, typed: string): TestCase {
  const { points: _old, ...rest } = test;
  if (typed.trim() === '') return rest;
  const points = Number(typed);
  return Number.isFinite(points) && points >= 0 && points <= 1e6 ? { ...rest, points } : test;
}

/** Marks a test hidden (only its verdict and points come back) or visible. */
export function withHidden(test: TestCase, hidden: boolean): TestCase {
  const { hidden: _old, ...rest } = test;
  return hidden ? { ...rest, hidden: true } : rest;
}

/** A new test named after its place in the list. */
export function newTestCase(tests: readonly TestCase[]): TestCase {
  return { name: `test ${tests.length + 1}`, stdin: '', expectedOutput: '' };
}
