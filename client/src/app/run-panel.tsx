import { ConsoleOutput } from '../features/console/console-output';
import { StdinLine } from '../features/console/stdin-line';
import { OutputFilesList } from '../features/outputs/output-files-list';
import { RunOptionsPanel } from '../features/run/run-options-panel';
import { isActive } from '../features/run/run-session-reducer';
import { StatusLine } from '../features/run/status-line';
import type { RunSession } from '../features/run/use-run-session';
import type { RunOptions } from '../lib/run-options';

interface RunPanelProps {
  session: RunSession;
  options: RunOptions;
  onOptionsChange: (options: RunOptions) => void;
}

/** Run options, the output console with its input line, the files the program wrote, and the status line. */
export function RunPanel({ session, options, onOptionsChange }: RunPanelProps) {
  const { state } = session;
  return (
    <section className="run-panel" aria-label="Run and output">
      <RunOptionsPanel options={options} onChange={onOptionsChange} />
      <h2 className="run-panel__title">Output</h2>
      <ConsoleOutput chunks={state.chunks} idle={state.phase === 'idle'} />
      <StdinLine
        enabled={isActive(state.phase) && !state.inputClosed}
        onSend={session.sendInput}
        onEndOfInput={session.closeInput}
      />
      {state.result && (
        <OutputFilesList
          files={state.result.outputs ?? []}
          truncated={state.result.outputsTruncated ?? false}
          label="Files the program wrote"
        />
      )}
      <StatusLine state={state} />
    </section>
  );
}
