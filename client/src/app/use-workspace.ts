import { useCallback, useEffect, useState } from 'react';
import type { Runtime } from '../lib/api/runtimes';
import type { Project } from '../lib/project/project';
import { loadWorkspace, saveWorkspace, type Workspace } from '../lib/project/workspace-storage';
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
export function useWorkspace(runtimes: readonly Runtime[] | null) {
  const [workspace, setWorkspace] = useState<Workspace>(() => loadWorkspace(localStorage));
  const [saveFailed, setSaveFailed] = useState(false);

  useEffect(() => {
    setSaveFailed(!saveWorkspace(localStorage, workspace));
  }, [workspace]);

  useEffect(() => {
    if (runtimes) setWorkspace((ws) => settleLanguage(ws, runtimes));
  }, [runtimes]);

  return {
    project: currentProject(workspace),
    options: currentOptions(workspace),
    language: workspace.language,
    saveFailed,
    selectLanguage: useCallback((runtime: Runtime) => setWorkspace((ws) => switchLanguage(ws, runtime)), []),
    update: useCallback((fn: (p: Project) => Project) => setWorkspace((ws) => updateProject(ws, fn)), []),
    replace: useCallback((project: Project) => setWorkspace((ws) => updateProject(ws, () => project)), []),
    reset: useCallback((runtime: Runtime) => setWorkspace((ws) => resetProject(ws, runtime)), []),
    setOptions: useCallback((options: RunOptions) => setWorkspace((ws) => updateOptions(ws, options)), []),
  };
}
