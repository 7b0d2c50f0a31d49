import { describe, expect, it } from 'vitest';
import { addFolder, createProject } from '../../lib/project/project';
import { createEntry, renameEntry, targetFolder } from './tree-commands';

const project = addFolder(
  createProject('python', [
    { path: 'main.py', content: '' },
    { path: 'lib/util.py', content: '' },
  ]),
  'empty',
);

describe('file tree commands', () => {
  it('creates new entries in the selected folder, or beside the selected file', () => {
    expect(targetFolder(project, 'lib')).toBe('lib');
    expect(targetFolder(project, 'lib/util.py')).toBe('lib');
    expect(targetFolder(project, null)).toBe('');
    const created = createEntry(project, 'file', targetFolder(project, 'lib/util.py'), 'greet.py');
    expect(created).toMatchObject({ path: 'lib/greet.py' });
    if ('project' in created) expect(created.project.active).toBe('lib/greet.py');
    expect(createEntry(project, 'folder', '', 'pkg')).toMatchObject({ path: 'pkg' });
    expect(createEntry(project, 'file', '', 'main.py')).toEqual({ problem: 'main.py already exists' });
  });

  it('renames or moves, and refuses to move a folder into itself', () => {
    expect(renameEntry(project, 'lib/util.py', 'empty/util.py')).toMatchObject({ path: 'empty/util.py' });
    expect(renameEntry(project, 'lib', 'lib/inner')).toEqual({ problem: 'a folder cannot move into itself' });
    expect(renameEntry(project, 'lib', 'main.py')).toEqual({ problem: 'main.py already exists' });
    expect(renameEntry(project, 'main.py', ' main.py ')).toEqual({ project, path: 'main.py' });
  });

  it('refuses a new or renamed name the protocol refuses, with its words', () => {
    expect(renameEntry(project, 'main.py', '-main.py')).toEqual({
      problem: '"-main.py" has a segment beginning with "-" ("-main.py")',
    });
    expect(createEntry(project, 'folder', 'lib', '..')).toEqual({
      problem: '"lib/.." contains a ".." segment',
    });
    expect(createEntry(project, 'file', '', 'a\\b.py')).toEqual({
      problem: '"a\\b.py" contains a backslash; separate folders with /',
    });
  });
});
