import type { RuntimeInfo } from '@coderunner/protocol';
import { describeLibraries } from './libraries';
import type { RuntimesState } from './use-runtimes';

interface LanguageSelectProps {
  state: RuntimesState;
  language: string | null;
  disabled: boolean;
  onChange: (runtime: RuntimeInfo) => void;
  onRetry: () => void;
}

/**
 * The language picker, filled from GET /api/v1/runtimes, with the chosen language's libraries next to it. Each
 * language keeps its own project.
 */
export function LanguageSelect({ state, language, disabled, onChange, onRetry }: LanguageSelectProps) {
  const runtimes = state.status === 'ready' ? state.runtimes : [];
  const libraries = describeLibraries(runtimes.find((r) => r.language === language));
  return (
    <div className="language-select">
      <label htmlFor="language-select">Language</label>
      <select
        id="language-select"
        data-testid="language-select"
        value={language ?? ''}
        disabled={disabled || state.status !== 'ready'}
        aria-describedby={libraries ? 'language-libraries' : undefined}
        onChange={(event) => {
          const runtime = runtimes.find((r) => r.language === event.target.value);
          if (runtime) onChange(runtime);
        }}
      >
        {state.status === 'loading' && <option value="">Loading…</option>}
        {state.status === 'failed' && <option value="">Unavailable</option>}
        {state.status === 'ready' && language === null && <option value="">Choose…</option>}
        {runtimes.map((r) => (
          <option key={r.language} value={r.language}>
            {r.displayName} {r.version}
          </option>
        ))}
      </select>
      {libraries && (
        <span
          id="language-libraries"
          className="language-select__libraries"
          data-testid="language-libraries"
          title={`Libraries: ${libraries}`}
        >
          <span className="language-select__libraries-label">Libraries:</span> {libraries}
        </span>
      )}
      {state.status === 'failed' && (
        <span role="alert" className="language-select__error" data-testid="language-select-error">
          Could not load languages: {state.message}{' '}
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        </span>
      )}
    </div>
  );
}
