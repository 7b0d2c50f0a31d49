import type { OutputFile, TestResult } from '@coderunner/protocol';
import type { ReactNode } from 'react';
import { describeResult } from './test-summary';

interface TestResultItemProps {
  index: number;
  result: TestResult | null;
  renderOutputs: (outputs: readonly OutputFile[], truncated: boolean) => ReactNode;
}

/** A diff line: visible spaces would be nicer, but the exact text matters more, so it is shown as it is. */
function DiffLine({ label, text }: { label: string; text: string }) {
  return (
    <div className="test-diff__line">
      <span className="test-diff__label">{label}</span>
      <code className="test-diff__text">{text === '' ? '(empty line)' : text}</code>
    </div>
  );
}

/** One test's verdict and, for a visible test, where a wrong answer differs, the error output and files. */
export function TestResultItem({ index, result, renderOutputs }: TestResultItemProps) {
  if (!result)
    return (
      <li className="test-result test-result--pending" data-testid={`test-result-${index}`}>
        <span aria-hidden="true">Test {index + 1}: waiting…</span>
      </li>
    );
  const tone = result.verdict === 'passed' ? 'ok' : result.verdict === 'skipped' ? 'muted' : 'error';
  return (
    <li
      className={`test-result test-result--${tone}`}
      data-testid={`test-result-${index}`}
      data-verdict={result.verdict}
    >
      <p className="test-result__headline">
        <span className="test-result__icon" aria-hidden="true">
          {tone === 'ok' ? '✓' : tone === 'error' ? '✗' : '–'}
        </span>
        <span>{describeResult(index, result)}</span>
        <span className="test-result__points">
          {result.points} {result.points === 1 ? 'point' : 'points'}
        </span>
      </p>
      {result.diff && (
        <div className="test-diff" data-testid={`test-diff-${index}`}>
          <p className="test-diff__where">
            First difference at line {result.diff.line}, column {result.diff.column}:
          </p>
          <DiffLine label="Expected" text={result.diff.expected} />
          <DiffLine label="Actual" text={result.diff.actual} />
        </div>
      )}
      {result.message && <p className="test-result__message">{result.message}</p>}
      {(result.stdout || result.stderr) && (
        <details className="test-result__output">
          <summary>Program output</summary>
          {result.stdout && <pre className="test-result__stdout">{result.stdout}</pre>}
          {result.stderr && (
            <pre className="test-result__stderr">
              <span className="sr-only">error output: </span>
              {result.stderr}
            </pre>
          )}
        </details>
      )}
      {result.outputs &&
        result.outputs.length > 0 &&
        renderOutputs(result.outputs, result.outputsTruncated ?? false)}
    </li>
  );
}
