import type { OutputFile, TestResult, TestScore } from '@coderunner/protocol';
import { useRef, useState, type ReactNode } from 'react';
import type { TestCase } from '../../lib/project/test-cases';
import { ScoreBar } from './score-bar';
import { TestCaseEditor } from './test-case-editor';
import { newTestCase } from './test-case-edits';
import { exportTestCases, importTestCases } from './test-cases-io';
import { TestResultItem } from './test-result-item';
import { summarize } from './test-summary';
import './tests.css';

interface TestsPanelProps {
  language: string;
  tests: readonly TestCase[];
  onChange: (tests: TestCase[]) => void;
  /** Runs the project against the tests (over the same WebSocket as Run). */
  onRun: (stopOnFirstFailure: boolean) => void;
  running: boolean;
  /** The last test run's results by index (null until each arrives); null when the last run had no tests. */
  results: readonly (TestResult | null)[] | null;
  score: TestScore | null;
  renderOutputs: (outputs: readonly OutputFile[], truncated: boolean) => ReactNode;
}

/** Test cases kept with the project: edit, import/export as JSON, run them and see each verdict as it comes. */
export function TestsPanel(props: TestsPanelProps) {
  const { tests, onChange, results } = props;
  const fileInput = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [stopOnFirstFailure, setStopOnFirstFailure] = useState(false);

  const replaceAt = (index: number, test: TestCase) =>
    onChange(tests.map((t, i) => (i === index ? test : t)));
  const removeAt = (index: number) => {
    if (window.confirm(`Delete test ${index + 1}?`)) onChange(tests.filter((_, i) => i !== index));
  };

  const download = () => {
    const blob = new Blob([exportTestCases(tests)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `coderunner-${props.language}-tests.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const upload = async (file: File) => {
    const read = importTestCases(await file.text());
    if ('problem' in read) {
      setProblem(`Could not import ${file.name}: ${read.problem}`);
      return;
    }
    if (
      tests.length > 0 &&
      !window.confirm(`Replace the ${tests.length} test cases with those in ${file.name}?`)
    )
      return;
    setProblem(null);
    onChange(read.tests);
  };

  return (
    <section className="tests-panel" aria-labelledby="tests-title" data-testid="tests-panel">
      <h2 id="tests-title" className="run-panel__title">
        Tests
      </h2>
      <div className="tests-panel__toolbar" role="toolbar" aria-label="Test actions">
        <button
          type="button"
          className="button button--primary"
          data-testid="run-tests"
          disabled={tests.length === 0}
          onClick={() => props.onRun(stopOnFirstFailure)}
        >
          {props.running && results ? 'Run tests again' : 'Run tests'}
        </button>
        <button
          type="button"
          className="button"
          data-testid="add-test"
          onClick={() => onChange([...tests, newTestCase(tests)])}
        >
          + Test
        </button>
        <button type="button" className="button" onClick={() => fileInput.current?.click()}>
          Import JSON…
        </button>
        <button type="button" className="button" disabled={tests.length === 0} onClick={download}>
          Export JSON
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-tests"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void upload(file);
          }}
        />
      </div>
      <label className="tests-panel__check">
        <input
          type="checkbox"
          checked={stopOnFirstFailure}
          onChange={(e) => setStopOnFirstFailure(e.target.checked)}
        />
        Stop at the first failing test
      </label>
      {problem && (
        <p className="tests-panel__problem" role="alert">
          {problem}
        </p>
      )}
      {results && (
        <div className="tests-panel__results" aria-label="Test results" role="region">
          <ScoreBar summary={summarize(results, props.score)} running={props.running} />
          <ol className="tests-panel__list" aria-live="polite" aria-relevant="additions text">
            {results.map((result, i) => (
              <TestResultItem key={i} index={i} result={result} renderOutputs={props.renderOutputs} />
            ))}
          </ol>
        </div>
      )}
      {tests.length === 0 ? (
        <p className="tests-panel__empty">
          No test cases yet. Add one with “+ Test”, or import a JSON file shaped like a run request’s “tests”.
        </p>
      ) : (
        tests.map((test, i) => (
          <TestCaseEditor
            key={i}
            index={i}
            test={test}
            onChange={(next) => replaceAt(i, next)}
            onDelete={() => removeAt(i)}
          />
        ))
      )}
    </section>
  );
}
