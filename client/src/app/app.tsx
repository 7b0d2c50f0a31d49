import { useCallback, useState } from 'react';
import { ApiKeyPrompt } from '../features/api-key/api-key-prompt';
import { EditorPane } from '../features/editor/editor-pane';
import { FileTree } from '../features/file-tree/file-tree';
import { OutputFilesList } from '../features/outputs/output-files-list';
import { useRuntimes } from '../features/languages/use-runtimes';
import { buildRunMessage } from '../features/run/build-run-message';
import { isActive } from '../features/run/run-session-reducer';
import { useRunSession } from '../features/run/use-run-session';
import { TestsPanel } from '../features/tests/tests-panel';
import { useTheme } from '../features/theme/use-theme';
import type { ApiClient } from '../lib/api/api-client';
import type { ApiKeyStore } from '../lib/api/api-key';
import { AppHeader } from './app-header';
import { RunPanel } from './run-panel';
import { useRunShortcut } from './use-run-shortcut';
import { useWorkspace } from './use-workspace';

const NARROW = '(max-width: 760px)';

interface AppProps {
  /** The API key the editor holds (asked for when the server wants one). */
  keys: ApiKeyStore;
  /** REST calls to the server, keyed by `keys`. */
  api: ApiClient;
}

/** The editor page: composes the features; they only talk through the props given here. */
export function App({ keys, api }: AppProps) {
  const { state: runtimesState, retry } = useRuntimes(api);
  const runtimes = runtimesState.status === 'ready' ? runtimesState.runtimes : null;
  const workspace = useWorkspace(runtimes);
  const session = useRunSession(api);
  const theme = useTheme();
  const [filesOpen, setFilesOpen] = useState(() => !window.matchMedia(NARROW).matches);
  const { project, options } = workspace;
  const runtime = runtimes?.find((r) => r.language === workspace.language) ?? null;

  const run = useCallback(() => {
    if (!project) return;
    const built = buildRunMessage(project, options);
    if ('problem' in built) session.refuse(built.problem);
    else session.start(built.message);
  }, [project, options, session]);
  useRunShortcut(run);

  const runTests = useCallback(
    (stopOnFirstFailure: boolean) => {
      if (!project) return;
      const built = buildRunMessage(project, options, { tests: project.tests ?? [], stopOnFirstFailure });
      if ('problem' in built) session.refuse(built.problem);
      else session.start(built.message);
    },
    [project, options, session],
  );

  return (
    <div className="app">
      <AppHeader
        runtimes={runtimesState}
        retryRuntimes={retry}
        runtime={runtime}
        language={workspace.language}
        project={project}
        filesOpen={filesOpen}
        onToggleFiles={() => setFilesOpen((open) => !open)}
        running={isActive(session.state.phase)}
        onLanguage={workspace.selectLanguage}
        onRun={run}
        onStop={session.stop}
        onReplace={workspace.replace}
        onReset={() => runtime && workspace.reset(runtime)}
        dark={theme.dark}
        onToggleTheme={theme.toggle}
        keys={keys}
      />
      {workspace.saveFailed && (
        <p className="app__warning" role="alert">
          The browser refused to save the project (storage full or disabled): download it as a zip to keep it.
        </p>
      )}
      <main className="app-main" data-files={filesOpen ? 'open' : 'closed'}>
        <aside id="files-panel" className="app-main__files" hidden={!filesOpen}>
          {project && <FileTree key={project.language} project={project} onUpdate={workspace.update} />}
        </aside>
        <div className="app-main__editor">
          {project ? (
            <EditorPane project={project} dark={theme.dark} onUpdate={workspace.update} />
          ) : (
            <p className="app__loading">Loading the languages…</p>
          )}
        </div>
        <div className="app-main__run">
          <RunPanel session={session} options={options} onOptionsChange={workspace.setOptions} />
          {project && (
            <TestsPanel
              language={project.language}
              tests={project.tests ?? []}
              onChange={(tests) => workspace.update((p) => ({ ...p, tests }))}
              onRun={runTests}
              running={isActive(session.state.phase)}
              results={session.state.tests}
              score={session.state.result?.score ?? null}
              renderOutputs={(files, truncated) => (
                <OutputFilesList files={files} truncated={truncated} label="Files this test wrote" />
              )}
            />
          )}
        </div>
      </main>
      <ApiKeyPrompt keys={keys} />
    </div>
  );
}
