// The workspace is every project the student has, one per language, plus the language shown. It lives in
// localStorage, so a reload (or switching languages and back) never loses work. What is read back is checked:
// storage may hold an older editor's data, or anything a person or an extension put there. Unreadable parts are
// dropped with a console warning, and the stored text is kept under BACKUP_KEY so nothing is lost for good.
import { z } from 'zod';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../run-options';
import { nameProblem, type Project, type ProjectFile } from './project';
import { readTestCase, type TestCase } from './test-cases';

export interface Workspace {
  /** The language shown; null until the student (or the first load) picks one. */
  language: string | null;
  projects: Record<string, Project>;
  options: Record<string, RunOptions>;
}

export const STORAGE_KEY = 'coderunner.workspace.v1';
/** Where the stored text goes when some of it had to be dropped (the next save overwrites STORAGE_KEY). */
export const BACKUP_KEY = `${STORAGE_KEY}.backup`;

export const EMPTY_WORKSPACE: Workspace = Object.freeze({ language: null, projects: {}, options: {} });

const recordSchema = z.record(z.string(), z.unknown());
const workspaceSchema = z.object({
  language: z.string().nullable().catch(null),
  projects: recordSchema.catch({}),
  options: recordSchema.catch({}),
});
const fileSchema = z.object({
  path: z.string(),
  content: z.string(),
  encoding: z.literal('base64').optional().catch(undefined),
});
const projectSchema = z.object({
  files: z.array(z.unknown()),
  folders: z.array(z.unknown()).catch([]),
  entry: z.unknown().optional(),
  tabs: z.array(z.unknown()).catch([]),
  active: z.unknown().optional(),
  tests: z.array(z.unknown()).optional().catch(undefined),
});
const positive = z.number().refine((n) => Number.isFinite(n) && n > 0);
const optionsSchema = z.object({
  args: z.string().catch(DEFAULT_RUN_OPTIONS.args),
  stdin: z.string().catch(DEFAULT_RUN_OPTIONS.stdin),
  endInput: z.boolean().catch(DEFAULT_RUN_OPTIONS.endInput),
  timeoutSeconds: positive.catch(DEFAULT_RUN_OPTIONS.timeoutSeconds),
});

/** Reads one project; what breaks the rules is left out and described in `dropped`. */
function readProject(language: string, value: unknown, dropped: string[]): Project | null {
  const parsed = projectSchema.safeParse(value);
  if (!parsed.success) {
    dropped.push(`the ${language} project (not a project)`);
    return null;
  }
  const raw = parsed.data;
  const files: ProjectFile[] = [];
  const paths = new Set<string>();
  raw.files.forEach((value, i) => {
    const file = fileSchema.safeParse(value);
    if (!file.success) {
      dropped.push(`${language}: file #${i + 1} (not a file)`);
      return;
    }
    const { path, content, encoding } = file.data;
    const problem = nameProblem(path);
    if (problem) dropped.push(`${language}: ${problem}`);
    else if (paths.has(path)) dropped.push(`${language}: a second file named ${path}`);
    else {
      paths.add(path);
      files.push(encoding === 'base64' ? { path, content, encoding } : { path, content });
    }
  });
  const folders: string[] = [];
  for (const folder of raw.folders) {
    if (typeof folder !== 'string') continue;
    const problem = nameProblem(folder);
    if (problem) dropped.push(`${language}: folder ${problem}`);
    else if (!folders.includes(folder) && !paths.has(folder)) folders.push(folder);
  }
  const known = (p: unknown): p is string => typeof p === 'string' && paths.has(p);
  const tabs = [...new Set(raw.tabs.filter(known))];
  const tests: TestCase[] = [];
  raw.tests?.forEach((value, i) => {
    const read = readTestCase(value, i);
    if ('problem' in read) dropped.push(`${language}: ${read.problem}`);
    else tests.push(read.test);
  });
  return {
    language,
    files,
    folders,
    entry: known(raw.entry) ? raw.entry : null,
    tabs,
    active: known(raw.active) ? raw.active : (tabs[0] ?? null),
    ...(raw.tests ? { tests } : {}),
  };
}

/** A workspace read from stored JSON, and what of it could not be used. */
export interface ParsedWorkspace {
  workspace: Workspace;
  /** One line per dropped part; empty when everything was read. */
  dropped: string[];
}

/** Parses stored JSON defensively: anything unreadable is dropped (and listed) rather than crashing the editor. */
export function readWorkspace(json: string | null): ParsedWorkspace {
  if (json === null) return { workspace: EMPTY_WORKSPACE, dropped: [] };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { workspace: EMPTY_WORKSPACE, dropped: ['everything (not JSON)'] };
  }
  const parsed = workspaceSchema.safeParse(value);
  if (!parsed.success) return { workspace: EMPTY_WORKSPACE, dropped: ['everything (not a workspace)'] };
  const dropped: string[] = [];
  const workspace: Workspace = { language: parsed.data.language, projects: {}, options: {} };
  for (const [language, raw] of Object.entries(parsed.data.projects)) {
    const project = readProject(language, raw, dropped);
    if (project) workspace.projects[language] = project;
  }
  for (const [language, raw] of Object.entries(parsed.data.options)) {
    const options = optionsSchema.safeParse(raw);
    workspace.options[language] = options.success ? options.data : { ...DEFAULT_RUN_OPTIONS };
  }
  return { workspace, dropped };
}

/** Parses stored JSON; see readWorkspace. */
export function parseWorkspace(json: string | null): Workspace {
  return readWorkspace(json).workspace;
}

/**
 * Reads the workspace from storage (an empty one when there is none or it cannot be read). When parts had to be
 * dropped, says which on the console and keeps the stored text under BACKUP_KEY.
 */
export function loadWorkspace(
  storage: Pick<Storage, 'getItem' | 'setItem'>,
  log: Pick<Console, 'warn'> = console,
): Workspace {
  let json: string | null;
  try {
    json = storage.getItem(STORAGE_KEY);
  } catch {
    return EMPTY_WORKSPACE; // storage disabled by the browser
  }
  const { workspace, dropped } = readWorkspace(json);
  if (dropped.length > 0 && json !== null) {
    let kept = false;
    try {
      storage.setItem(BACKUP_KEY, json);
      kept = true;
    } catch {
      // storage full: the warning below still says what was dropped
    }
    log.warn(
      `CodeRunner: parts of the stored workspace could not be used and were left out:\n  ${dropped.join('\n  ')}\n` +
        (kept
          ? `The stored text is kept in localStorage under "${BACKUP_KEY}".`
          : 'The stored text could not be backed up (storage full).'),
    );
  }
  return workspace;
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

/** Saves workspaces to storage and tells whether the last save worked (an external store for React). */
export interface WorkspaceSaver {
  save(workspace: Workspace): void;
  /** False after a save the storage refused, until one succeeds. */
  failed: () => boolean;
  subscribe: (listener: () => void) => () => void;
}

/** A saver over `storage` (localStorage in the editor). */
export function createWorkspaceSaver(storage: Pick<Storage, 'setItem'>): WorkspaceSaver {
  let failed = false;
  const listeners = new Set<() => void>();
  return {
    save(workspace) {
      const next = !saveWorkspace(storage, workspace);
      if (next === failed) return;
      failed = next;
      for (const listener of [...listeners]) listener();
    },
    failed: () => failed,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
