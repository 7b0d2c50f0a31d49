import { fileNameProblem } from '@coderunner/protocol';
import { describe, expect, it } from 'vitest';
import {
  addFile,
  addFolder,
  checkNewPath,
  closeTab,
  createProject,
  deletePath,
  effectiveEntry,
  guessEntry,
  kindOf,
  openFile,
  renamePath,
  setEntry,
  updateContent,
} from './project';

const base = () =>
  createProject(
    'python',
    [
      { path: 'main.py', content: 'import lib.util' },
      { path: 'lib/util.py', content: 'X = 1' },
    ],
    { entry: 'main.py' },
  );

describe('the project model', () => {
  it('guesses the entry from conventional names and the language extensions', () => {
    const files = [
      { path: 'README.txt', content: '' },
      { path: 'helper.py', content: '' },
      { path: 'main.py', content: '' },
    ];
    expect(guessEntry(files, ['py'])).toBe('main.py');
    expect(guessEntry(files.slice(0, 2), ['py'])).toBe('helper.py');
    expect(guessEntry([{ path: 'x.txt', content: '' }], ['py'])).toBe('x.txt');
    expect(guessEntry([], ['py'])).toBeNull();
  });

  it('tells files from folders, declared or implied', () => {
    const project = addFolder(base(), 'empty');
    expect(kindOf(project, 'main.py')).toBe('file');
    expect(kindOf(project, 'lib')).toBe('folder');
    expect(kindOf(project, 'empty')).toBe('folder');
    expect(kindOf(project, 'nothing')).toBeNull();
  });

  it('checks new names: trimmed, unique, and not below a file', () => {
    const project = base();
    expect(checkNewPath(project, 'lib', ' extra.py ')).toEqual({ path: 'lib/extra.py' });
    expect(checkNewPath(project, '', '   ')).toEqual({ problem: 'the name is empty' });
    expect(checkNewPath(project, '', 'main.py')).toEqual({ problem: 'main.py already exists' });
    expect(checkNewPath(project, '', 'main.py/x.py')).toEqual({ problem: 'main.py is a file, not a folder' });
  });

  it.each([
    ['', '-o'],
    ['lib', '-wrapper.h'],
    ['', 'src/-x/y.c'],
    ['', '../up.py'],
    ['lib', '../../up.py'],
    ['', 'a/./b.py'],
    ['', 'a//b.py'],
    ['', '/etc/passwd'],
    ['', 'a\\b.py'],
    ['', 'bad\u0001name'],
    ['', 'x'.repeat(256)],
    ['', `${'a/'.repeat(600)}b`],
  ])('refuses in %j what the protocol refuses (%j), in its words', (folder, typed) => {
    const path = folder === '' ? typed : `${folder}/${typed}`;
    const words = fileNameProblem(path);
    expect(words).not.toBeNull();
    const checked = checkNewPath(base(), folder, typed);
    expect(checked).toEqual({ problem: `"${path.slice(0, 80)}" ${words}` });
  });

  it.each(['a b/c d.py', 'x-y/z-.c', 'ünï/cødé.py', '.hidden/x', 'lib/ util.py'])(
    'accepts %j, as the protocol does',
    (name) => {
      expect(fileNameProblem(name)).toBeNull();
      expect(checkNewPath(base(), '', name)).toEqual({ path: name });
    },
  );

  it('adds a file, opens it, and makes the first file of an empty project its entry', () => {
    const empty = createProject('python', []);
    const one = addFile(empty, 'a.py', 'print(1)');
    expect(one.entry).toBe('a.py');
    expect(one.active).toBe('a.py');
    const two = addFile(one, 'b.py');
    expect(two.entry).toBe('a.py');
    expect(two.tabs).toEqual(['a.py', 'b.py']);
  });

  it('renames a folder with everything in it, and tabs and entry follow', () => {
    let project = openFile(base(), 'lib/util.py');
    project = setEntry(project, 'lib/util.py');
    project = renamePath(project, 'lib', 'pkg');
    expect(project.files.map((f) => f.path)).toEqual(['main.py', 'pkg/util.py']);
    expect(project.tabs).toEqual(['main.py', 'pkg/util.py']);
    expect(project.active).toBe('pkg/util.py');
    expect(project.entry).toBe('pkg/util.py');
  });

  it('deletes a file, shows the neighbouring tab, keeps its folder, and drops a deleted entry', () => {
    let project = openFile(base(), 'lib/util.py');
    project = deletePath(project, 'lib/util.py');
    expect(project.files.map((f) => f.path)).toEqual(['main.py']);
    expect(project.folders).toEqual(['lib']);
    expect(project.active).toBe('main.py');
    project = deletePath(project, 'main.py');
    expect(project.entry).toBeNull();
    expect(project.active).toBeNull();
  });

  it('deletes a folder and everything below it, but not a sibling sharing its prefix', () => {
    const project = deletePath(addFile(base(), 'library.py'), 'lib');
    expect(project.files.map((f) => f.path)).toEqual(['main.py', 'library.py']);
  });

  it('edits text and closes tabs', () => {
    let project = updateContent(base(), 'main.py', 'print(2)');
    expect(project.files[0]?.content).toBe('print(2)');
    project = openFile(project, 'lib/util.py');
    project = closeTab(project, 'lib/util.py');
    expect(project.active).toBe('main.py');
    expect(closeTab(project, 'main.py').active).toBeNull();
  });

  it('runs the only file of a one-file project even without a marked entry', () => {
    const single = createProject('python', [{ path: 'a.py', content: '' }], {
      entry: null,
      extensions: ['txt'],
    });
    expect(effectiveEntry({ ...single, entry: null })).toBe('a.py');
    expect(effectiveEntry({ ...base(), entry: null })).toBeNull();
    expect(effectiveEntry({ ...base(), entry: 'gone.py' })).toBeNull();
  });
});
