import { formatStatus } from './format-status';
import type { RunSessionState } from './run-session-reducer';
import './run.css';

/** The run's status, exit code or signal, wall time, CPU time and memory; announced politely. */
export function StatusLine({ state }: { state: RunSessionState }) {
  const view = formatStatus(state);
  return (
    <div
      className={`status-line status-line--${view.tone}`}
      data-testid="status"
      role="status"
      aria-live="polite"
    >
      <strong className="status-line__headline">{view.headline}</strong>
      {view.details.map((d) => (
        <span key={d} className="status-line__detail">
          {d}
        </span>
      ))}
    </div>
  );
}
