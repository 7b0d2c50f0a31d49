import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { RuntimeInfo } from '@coderunner/protocol';
import type { Project } from '../lib/project/project';
import { createWorkspaceSaver, loadWorkspace, type Workspace } from '../lib/project/workspace-storage';
import type { RunOptions } from '../lib/run-options';
import {
  currentOptions,
  currentProject,
  resetProject,
  settleLanguage,
  switchLanguage,
  updateOptions,
  updateProject,
} from './workspace-actions';

/** The workspace in React state, saved to localStorage on every change (a few KB of JSON: cheap). */
export function useWorkspace(runtimes: readonly RuntimeInfo[] | null) {
  const [workspace, setWorkspace] = useState<Workspace>(() => loadWorkspace(localStorage));
  const [saver] = useState(() => createWorkspaceSaver(localStorage));
  const saveFailed = useSyncExternalStore(saver.subscribe, saver.failed);
  // Once the server's languages are known (again), the shown language is settled against them, during render
  // rather than in an effect, so the page never shows a language the server does not have.
  const [settledFor, setSettledFor] = useState<readonly RuntimeInfo[] | null>(null);
  if (runtimes !== null && runtimes !== settledFor) {
    setSettledFor(runtimes);
    setWorkspace((ws) => settleLanguage(ws, runtimes));
  }

  useEffect(() => saver.save(workspace), [saver, workspace]);

  return {
    project: currentProject(workspace),
    options: currentOptions(workspace),
    language: workspace.language,
    saveFailed,
    selectLanguage: useCallback(
      (runtime: RuntimeInfo) => setWorkspace((ws) => switchLanguage(ws, runtime)),
      [],
    ),
    update: useCallback((fn: (p: Project) => Project) => setWorkspace((ws) => updateProject(ws, fn)), []),
    replace: useCallback((project: Project) => setWorkspace((ws) => updateProject(ws, () => project)), []),
    reset: useCallback((runtime: RuntimeInfo) => setWorkspace((ws) => resetProject(ws, runtime)), []),
    setOptions: useCallback((options: RunOptions) => setWorkspace((ws) => updateOptions(ws, options)), []),
  };
}
