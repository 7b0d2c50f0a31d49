// How the workspace (one project per language, see lib/project/workspace-storage.ts) changes. Switching
// language never discards work: the other language's project is kept and comes back when switched to.
import { starterProject } from '../features/languages/starter';
import type { RuntimeInfo } from '@coderunner/protocol';
import type { Project } from '../lib/project/project';
import type { Workspace } from '../lib/project/workspace-storage';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../lib/run-options';

const PREFERRED_LANGUAGE = 'python';

/** The project of the language shown, if any. */
export function currentProject(workspace: Workspace): Project | null {
  return workspace.language === null ? null : (workspace.projects[workspace.language] ?? null);
}

/** The run options of the language shown. */
export function currentOptions(workspace: Workspace): RunOptions {
  return (
    (workspace.language === null ? undefined : workspace.options[workspace.language]) ?? DEFAULT_RUN_OPTIONS
  );
}

/** Shows a language, creating its starter project the first time. */
export function switchLanguage(workspace: Workspace, runtime: RuntimeInfo): Workspace {
  const existing = workspace.projects[runtime.language];
  return {
    ...workspace,
    language: runtime.language,
    projects: existing
      ? workspace.projects
      : { ...workspace.projects, [runtime.language]: starterProject(runtime) },
  };
}

/** Once the server's languages are known: keeps the stored language if it still exists, else picks one. */
export function settleLanguage(workspace: Workspace, runtimes: readonly RuntimeInfo[]): Workspace {
  const stored = runtimes.find((r) => r.language === workspace.language);
  const chosen = stored ?? runtimes.find((r) => r.language === PREFERRED_LANGUAGE) ?? runtimes[0];
  if (!chosen) return workspace;
  const next = switchLanguage(workspace, chosen);
  return next.language === workspace.language && next.projects === workspace.projects ? workspace : next;
}

/** Applies a change to the shown project. */
export function updateProject(workspace: Workspace, update: (project: Project) => Project): Workspace {
  const project = currentProject(workspace);
  if (!project || workspace.language === null) return workspace;
  const next = update(project);
  return next === project
    ? workspace
    : { ...workspace, projects: { ...workspace.projects, [workspace.language]: next } };
}

/** Sets the run options of the shown language. */
export function updateOptions(workspace: Workspace, options: RunOptions): Workspace {
  if (workspace.language === null) return workspace;
  return { ...workspace, options: { ...workspace.options, [workspace.language]: options } };
}

/** Puts the language's starter program back in place of its project. */
export function resetProject(workspace: Workspace, runtime: RuntimeInfo): Workspace {
  return {
    ...workspace,
    language: runtime.language,
    projects: { ...workspace.projects, [runtime.language]: starterProject(runtime) },
  };
}
