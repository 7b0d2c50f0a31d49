import type { TestCase } from '../../lib/project/test-cases';
import {
  compareChoice,
  compareChoices,
  withCompare,
  withHidden,
  withPoints,
  withText,
  type CompareChoice,
} from './test-case-edits';

interface TestCaseEditorProps {
  index: number;
  test: TestCase;
  onChange: (test: TestCase) => void;
  onDelete: () => void;
}

/** One test case's fields: name, input, expected output, comparator, points, hidden; and its Delete button. */
export function TestCaseEditor({ index, test, onChange, onDelete }: TestCaseEditorProps) {
  const id = (field: string) => `test-${index}-${field}`;
  const title = `Test ${index + 1}${test.name ? `: ${test.name}` : ''}`;
  return (
    <fieldset className="test-case" data-testid={`test-case-${index}`}>
      <legend className="test-case__legend">{title}</legend>
      <div className="test-case__row">
        <div className="test-case__field test-case__field--grow">
          <label htmlFor={id('name')}>Name</label>
          <input
            id={id('name')}
            type="text"
            value={test.name ?? ''}
            autoComplete="off"
            onChange={(e) => onChange(withText(test, 'name', e.target.value))}
          />
        </div>
        <div className="test-case__field">
          <label htmlFor={id('points')}>Points</label>
          <input
            id={id('points')}
            className="test-case__points"
            type="number"
            min={0}
            step={0.5}
            placeholder="1"
            value={test.points ?? ''}
            onChange={(e) => onChange(withPoints(test, e.target.value))}
          />
        </div>
      </div>
      <div className="test-case__row">
        <div className="test-case__field test-case__field--grow">
          <label htmlFor={id('stdin')}>Input (stdin)</label>
          <textarea
            id={id('stdin')}
            rows={2}
            spellCheck={false}
            value={test.stdin ?? ''}
            onChange={(e) => onChange(withText(test, 'stdin', e.target.value))}
          />
        </div>
        <div className="test-case__field test-case__field--grow">
          <label htmlFor={id('expected')}>Expected output</label>
          <textarea
            id={id('expected')}
            rows={2}
            spellCheck={false}
            placeholder="Empty: passes when the program ends normally"
            value={test.expectedOutput ?? ''}
            onChange={(e) => onChange(withText(test, 'expectedOutput', e.target.value))}
          />
        </div>
      </div>
      <div className="test-case__row test-case__row--end">
        <div className="test-case__field">
          <label htmlFor={id('compare')}>Compare</label>
          <select
            id={id('compare')}
            value={compareChoice(test.compare)}
            onChange={(e) => onChange(withCompare(test, e.target.value as CompareChoice))}
          >
            {compareChoices(compareChoice(test.compare)).map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <label className="test-case__check">
          <input
            type="checkbox"
            checked={test.hidden ?? false}
            onChange={(e) => onChange(withHidden(test, e.target.checked))}
          />
          Hidden (only the verdict is shown)
        </label>
        <button
          type="button"
          className="button button--small"
          aria-label={`Delete test ${index + 1}`}
          onClick={onDelete}
        >
          Delete
        </button>
      </div>
    </fieldset>
  );
}
