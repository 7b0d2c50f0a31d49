// The project model: a flat list of files with "/"-separated paths, folders that may be empty, the entry file
// (`toBeExec`) and the open tabs. Every operation is pure and returns a new project.
import { fileNameProblem } from '@coderunner/protocol';
import { ancestorsOf, dirname, extensionOf, isWithin, joinPath } from './paths';
import type { TestCase } from './test-cases';

export interface ProjectFile {
  path: string;
  content: string;
  /** Set for files that are not UTF-8 text (uploaded in a zip); they are sent as-is and not editable. */
  encoding?: 'base64';
}

export interface Project {
  language: string;
  files: ProjectFile[];
  /** Folders that exist even without files in them. */
  folders: string[];
  /** The file run first; null lets a one-file project run its only file. */
  entry: string | null;
  /** Open files, in tab order. */
  tabs: string[];
  /** The file shown in the editor. */
  active: string | null;
  /** Test cases for "Run tests" (absent: none yet). */
  tests?: TestCase[];
}

/** A new project; the entry is `entry` if given, else guessed from the language's extensions. */
export function createProject(
  language: string,
  files: readonly ProjectFile[],
  options: { entry?: string | null; folders?: readonly string[]; extensions?: readonly string[] } = {},
): Project {
  const entry = options.entry ?? guessEntry(files, options.extensions ?? []);
  const first = entry ?? files[0]?.path ?? null;
  return {
    language,
    files: [...files],
    folders: [...(options.folders ?? [])],
    entry,
    tabs: first ? [first] : [],
    active: first,
  };
}

/** Picks a likely entry: main.* / Main.* / Program.* with the language's extension, else the first such file. */
export function guessEntry(files: readonly ProjectFile[], extensions: readonly string[]): string | null {
  const runnable = files.filter((f) => extensions.length === 0 || extensions.includes(extensionOf(f.path)));
  const named = runnable.find((f) => /^(main|Main|program|Program)\.[^/]+$/.test(f.path));
  return named?.path ?? runnable[0]?.path ?? files[0]?.path ?? null;
}

/** What is at a path: a file, a folder (declared or implied by a file below it), or nothing. */
export function kindOf(project: Project, path: string): 'file' | 'folder' | null {
  if (project.files.some((f) => f.path === path)) return 'file';
  if (project.folders.includes(path) || project.files.some((f) => f.path.startsWith(`${path}/`)))
    return 'folder';
  return null;
}

/**
 * What is wrong with a path as a project file or folder name, in the protocol's words (the server refuses the
 * same names), or null when it is fine.
 */
export function nameProblem(path: string): string | null {
  const problem = fileNameProblem(path);
  return problem === null ? null : `"${path.slice(0, 80)}" ${problem}`;
}

/**
 * Checks a name typed for a new file or folder under `folder` (spaces around it are dropped): returns the new
 * path, or the problem with it.
 */
export function checkNewPath(
  project: Project,
  folder: string,
  typed: string,
): { path: string } | { problem: string } {
  const name = typed.trim();
  if (name === '') return { problem: 'the name is empty' };
  const path = joinPath(folder, name);
  const problem = nameProblem(path);
  if (problem) return { problem };
  if (kindOf(project, path)) return { problem: `${path} already exists` };
  const blocking = ancestorsOf(path).find((a) => kindOf(project, a) === 'file');
  if (blocking) return { problem: `${blocking} is a file, not a folder` };
  return { path };
}

/** Adds a file and opens it; a project's first file becomes its entry. */
export function addFile(project: Project, path: string, content = ''): Project {
  return {
    ...project,
    files: [...project.files, { path, content }],
    entry: project.entry ?? (project.files.length === 0 ? path : null),
    tabs: project.tabs.includes(path) ? project.tabs : [...project.tabs, path],
    active: path,
  };
}

/** Adds an (empty) folder. */
export function addFolder(project: Project, path: string): Project {
  return { ...project, folders: [...project.folders, path] };
}

/** Replaces a file's text. */
export function updateContent(project: Project, path: string, content: string): Project {
  return {
    ...project,
    files: project.files.map((f) => (f.path === path ? { ...f, content } : f)),
  };
}

/** Renames a file, or a folder with everything in it; tabs, the active file and the entry follow. */
export function renamePath(project: Project, from: string, to: string): Project {
  const move = (path: string) => (isWithin(path, from) ? to + path.slice(from.length) : path);
  return {
    ...project,
    files: project.files.map((f) => ({ ...f, path: move(f.path) })),
    folders: project.folders.map(move),
    entry: project.entry === null ? null : move(project.entry),
    tabs: project.tabs.map(move),
    active: project.active === null ? null : move(project.active),
  };
}

/** Deletes a file, or a folder with everything in it; a deleted entry leaves the project without one. */
export function deletePath(project: Project, path: string): Project {
  const keep = (p: string) => !isWithin(p, path);
  const tabs = project.tabs.filter(keep);
  let active = project.active;
  if (active !== null && !keep(active)) {
    const index = project.tabs.indexOf(active);
    active = tabs[Math.min(Math.max(index, 0), tabs.length - 1)] ?? null;
  }
  const folders = project.folders.filter(keep);
  // Deleting the last file of a folder keeps the folder visible, as a file manager would.
  const parent = dirname(path);
  if (parent !== '' && !folders.includes(parent)) folders.push(parent);
  return {
    ...project,
    files: project.files.filter((f) => keep(f.path)),
    folders,
    entry: project.entry !== null && keep(project.entry) ? project.entry : null,
    tabs,
    active,
  };
}

/** Marks the file that runs first. */
export function setEntry(project: Project, path: string): Project {
  return { ...project, entry: path };
}

/** Opens a file in a tab (if it is not open yet) and shows it. */
export function openFile(project: Project, path: string): Project {
  return {
    ...project,
    tabs: project.tabs.includes(path) ? project.tabs : [...project.tabs, path],
    active: path,
  };
}

/** Closes a tab; closing the shown file shows its neighbour. */
export function closeTab(project: Project, path: string): Project {
  const index = project.tabs.indexOf(path);
  const tabs = project.tabs.filter((t) => t !== path);
  const active = project.active === path ? (tabs[Math.min(index, tabs.length - 1)] ?? null) : project.active;
  return { ...project, tabs, active };
}

/** The file that runs: the marked entry, or the only file of a one-file project. */
export function effectiveEntry(project: Project): string | null {
  if (project.entry !== null && project.files.some((f) => f.path === project.entry)) return project.entry;
  return project.files.length === 1 ? (project.files[0]?.path ?? null) : null;
}
