// What the file tree's buttons do, as pure functions over the project: each returns the changed project or the
// problem to show next to the name field.
import { dirname, isWithin } from '../../lib/project/paths';
import {
  addFile,
  addFolder,
  checkNewPath,
  kindOf,
  renamePath,
  type Project,
} from '../../lib/project/project';

export type CommandResult = { project: Project; path: string } | { problem: string };

/** The folder new entries go into: the selected folder, the selected file's folder, or the top. */
export function targetFolder(project: Project, selected: string | null): string {
  if (selected === null) return '';
  const kind = kindOf(project, selected);
  if (kind === 'folder') return selected;
  return kind === 'file' ? dirname(selected) : '';
}

/** Creates a file (opened in the editor) or a folder named `typed` inside `folder`. */
export function createEntry(
  project: Project,
  kind: 'file' | 'folder',
  folder: string,
  typed: string,
): CommandResult {
  const checked = checkNewPath(project, folder, typed);
  if ('problem' in checked) return checked;
  const next = kind === 'file' ? addFile(project, checked.path) : addFolder(project, checked.path);
  return { project: next, path: checked.path };
}

/** Renames (or moves, when the new name has other folders) a file or folder. */
export function renameEntry(project: Project, from: string, typed: string): CommandResult {
  const to = typed.trim();
  if (to === from) return { project, path: from };
  if (kindOf(project, from) === 'folder' && isWithin(to, from)) {
    return { problem: 'a folder cannot move into itself' };
  }
  const checked = checkNewPath(project, '', to);
  if ('problem' in checked) return checked;
  return { project: renamePath(project, from, checked.path), path: checked.path };
}
