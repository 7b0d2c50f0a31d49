import type { TestSummary } from './test-summary';
import { describeSummary } from './test-summary';

/** Passed of total and points of the maximum, as words and a bar (the bar is for the eye only). */
export function ScoreBar({ summary, running }: { summary: TestSummary; running: boolean }) {
  const share = summary.total === 0 ? 0 : summary.passed / summary.total;
  const all = summary.maxPoints !== null && summary.passed === summary.total;
  return (
    <div className="score-bar" data-testid="test-score">
      <div className="score-bar__track" aria-hidden="true">
        <div
          className={`score-bar__fill${all ? ' score-bar__fill--all' : ''}`}
          style={{ width: `${Math.round(share * 100)}%` }}
        />
      </div>
      <p className="score-bar__text">{describeSummary(summary, running)}</p>
    </div>
  );
}
