// The workspace is every project the student has, one per language, plus the language shown. It lives in
// localStorage, so a reload (or switching languages and back) never loses work.
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../run-options';
import type { Project, ProjectFile } from './project';

export interface Workspace {
  /** The language shown; null until the student (or the first load) picks one. */
  language: string | null;
  projects: Record<string, Project>;
  options: Record<string, RunOptions>;
}

export const STORAGE_KEY = 'coderunner.workspace.v1';

export const EMPTY_WORKSPACE: Workspace = Object.freeze({ language: null, projects: {}, options: {} });

const isString = (v: unknown): v is string => typeof v === 'string';

function readFile(value: unknown): ProjectFile | null {
  if (typeof value !== 'object' || value === null) return null;
  const { path, content, encoding } = value as Record<string, unknown>;
  if (!isString(path) || !isString(content)) return null;
  return encoding === 'base64' ? { path, content, encoding } : { path, content };
}

function readProject(language: string, value: unknown): Project | null {
  if (typeof value !== 'object' || value === null) return null;
  const raw = value as Record<string, unknown>;
  if (!Array.isArray(raw.files)) return null;
  const files = raw.files.map(readFile).filter((f): f is ProjectFile => f !== null);
  const paths = new Set(files.map((f) => f.path));
  const known = (p: unknown): p is string => isString(p) && paths.has(p);
  const tabs = Array.isArray(raw.tabs) ? raw.tabs.filter(known) : [];
  return {
    language,
    files,
    folders: Array.isArray(raw.folders) ? raw.folders.filter(isString) : [],
    entry: known(raw.entry) ? raw.entry : null,
    tabs,
    active: known(raw.active) ? raw.active : (tabs[0] ?? null),
  };
}

function readOptions(value: unknown): RunOptions {
  const raw = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const timeout = raw.timeoutSeconds;
  return {
    args: isString(raw.args) ? raw.args : DEFAULT_RUN_OPTIONS.args,
    stdin: isString(raw.stdin) ? raw.stdin : DEFAULT_RUN_OPTIONS.stdin,
    endInput: typeof raw.endInput === 'boolean' ? raw.endInput : DEFAULT_RUN_OPTIONS.endInput,
    timeoutSeconds:
      typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0
        ? timeout
        : DEFAULT_RUN_OPTIONS.timeoutSeconds,
  };
}

/** Parses stored JSON defensively: anything unreadable is dropped rather than crashing the editor. */
export function parseWorkspace(json: string | null): Workspace {
  if (json === null) return EMPTY_WORKSPACE;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return EMPTY_WORKSPACE;
  }
  if (typeof raw !== 'object' || raw === null) return EMPTY_WORKSPACE;
  const { language, projects, options } = raw as Record<string, unknown>;
  const workspace: Workspace = { language: isString(language) ? language : null, projects: {}, options: {} };
  if (typeof projects === 'object' && projects !== null) {
    for (const [lang, value] of Object.entries(projects)) {
      const project = readProject(lang, value);
      if (project) workspace.projects[lang] = project;
    }
  }
  if (typeof options === 'object' && options !== null) {
    for (const [lang, value] of Object.entries(options)) workspace.options[lang] = readOptions(value);
  }
  return workspace;
}

/** Reads the workspace from storage (an empty one when there is none or it cannot be read). */
export function loadWorkspace(storage: Pick<Storage, 'getItem'>): Workspace {
  try {
    return parseWorkspace(storage.getItem(STORAGE_KEY));
  } catch {
    return EMPTY_WORKSPACE; // storage disabled by the browser
  }
}

/** Writes the workspace; returns false when storage refused (full or disabled). */
export function saveWorkspace(storage: Pick<Storage, 'setItem'>, workspace: Workspace): boolean {
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(workspace));
    return true;
  } catch {
    return false;
  }
}
