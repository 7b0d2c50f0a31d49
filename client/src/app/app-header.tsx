import type { RuntimeInfo } from '@coderunner/protocol';
import { ForgetKeyButton } from '../features/api-key/forget-key-button';
import { LanguageSelect } from '../features/languages/language-select';
import type { RuntimesState } from '../features/languages/use-runtimes';
import { ProjectIoButtons } from '../features/project-io/project-io-buttons';
import { RunControls } from '../features/run/run-controls';
import { ThemeToggle } from '../features/theme/theme-toggle';
import type { ApiKeyStore } from '../lib/api/api-key';
import type { Project } from '../lib/project/project';

interface AppHeaderProps {
  runtimes: RuntimesState;
  retryRuntimes: () => void;
  runtime: RuntimeInfo | null;
  language: string | null;
  project: Project | null;
  filesOpen: boolean;
  onToggleFiles: () => void;
  running: boolean;
  onLanguage: (runtime: RuntimeInfo) => void;
  onRun: () => void;
  onStop: () => void;
  onReplace: (project: Project) => void;
  onReset: () => void;
  dark: boolean;
  onToggleTheme: () => void;
  keys: ApiKeyStore;
}

/** The top bar: files toggle, language, Run/Stop, project zip and reset, forget the API key, theme. */
export function AppHeader(props: AppHeaderProps) {
  return (
    <header className="app-header">
      <h1 className="app-header__title">CodeRunner</h1>
      <button
        type="button"
        className="button app-header__files"
        aria-expanded={props.filesOpen}
        aria-controls="files-panel"
        onClick={props.onToggleFiles}
      >
        Files
      </button>
      <LanguageSelect
        state={props.runtimes}
        language={props.language}
        disabled={false}
        onChange={props.onLanguage}
        onRetry={props.retryRuntimes}
      />
      <RunControls
        active={props.running}
        canRun={props.project !== null}
        onRun={props.onRun}
        onStop={props.onStop}
      />
      <div className="app-header__spacer" />
      <ProjectIoButtons
        project={props.project}
        extensions={props.runtime?.extensions ?? []}
        onReplace={props.onReplace}
        onReset={props.onReset}
      />
      <ForgetKeyButton keys={props.keys} />
      <ThemeToggle dark={props.dark} onToggle={props.onToggleTheme} />
    </header>
  );
}
