import type { RunOptions } from '../../lib/run-options';

interface RunOptionsPanelProps {
  options: RunOptions;
  onChange: (options: RunOptions) => void;
}

/** Arguments, the time limit and the input given up front. */
export function RunOptionsPanel({ options, onChange }: RunOptionsPanelProps) {
  const set = <K extends keyof RunOptions>(key: K, value: RunOptions[K]) =>
    onChange({ ...options, [key]: value });
  return (
    <fieldset className="run-options">
      <legend className="sr-only">Run options</legend>
      <div className="run-options__row">
        <div className="run-options__field run-options__field--grow">
          <label htmlFor="run-args">Arguments</label>
          <input
            id="run-args"
            type="text"
            value={options.args}
            placeholder='e.g. --count 3 "two words"'
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => set('args', e.target.value)}
          />
        </div>
        <div className="run-options__field">
          <label htmlFor="run-timeout">Time limit (s)</label>
          <input
            id="run-timeout"
            className="run-options__timeout"
            type="number"
            min={0.1}
            max={600}
            step={0.5}
            value={options.timeoutSeconds}
            onChange={(e) => {
              const value = Number(e.target.value);
              if (Number.isFinite(value) && value > 0) set('timeoutSeconds', value);
            }}
          />
        </div>
      </div>
      <div className="run-options__stdin">
        <label htmlFor="run-stdin">Input given up front (stdin)</label>
        <textarea
          id="run-stdin"
          rows={2}
          value={options.stdin}
          spellCheck={false}
          placeholder="Optional. You can also type into the running program below."
          onChange={(e) => set('stdin', e.target.value)}
        />
        <label className="run-options__check">
          <input
            type="checkbox"
            checked={options.endInput}
            disabled={options.stdin === ''}
            onChange={(e) => set('endInput', e.target.checked)}
          />
          End input after this text (programs that read to the end then finish)
        </label>
      </div>
    </fieldset>
  );
}
