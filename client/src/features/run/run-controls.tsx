import { useEffect, useRef } from 'react';

interface RunControlsProps {
  active: boolean;
  canRun: boolean;
  onRun: () => void;
  onStop: () => void;
}

/** Run (also Ctrl/Cmd+Enter) and Stop. Run while running starts over; Stop applies only while running. */
export function RunControls({ active, canRun, onRun, onStop }: RunControlsProps) {
  const runRef = useRef<HTMLButtonElement>(null);
  const stopRef = useRef<HTMLButtonElement>(null);
  // Stop disables itself when the run ends; keep keyboard focus on the toolbar instead of losing it.
  useEffect(() => {
    if (!active && document.activeElement === stopRef.current) runRef.current?.focus();
  }, [active]);
  return (
    <div className="run-controls" role="group" aria-label="Run">
      <button
        ref={runRef}
        type="button"
        className="button button--primary"
        data-testid="run-button"
        disabled={!canRun}
        onClick={onRun}
        aria-keyshortcuts="Control+Enter Meta+Enter"
        title="Run (Ctrl+Enter)"
      >
        <span aria-hidden="true">▶ </span>
        {active ? 'Run again' : 'Run'}
      </button>
      <button
        ref={stopRef}
        type="button"
        className="button button--danger"
        data-testid="stop-button"
        disabled={!active}
        onClick={onStop}
        title="Stop the running program"
      >
        <span aria-hidden="true">■ </span>
        Stop
      </button>
    </div>
  );
}
