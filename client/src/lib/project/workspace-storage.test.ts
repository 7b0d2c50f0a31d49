import { describe, expect, it } from 'vitest';
import { createProject } from './project';
import {
  EMPTY_WORKSPACE,
  loadWorkspace,
  parseWorkspace,
  saveWorkspace,
  STORAGE_KEY,
  type Workspace,
} from './workspace-storage';

const memory = () => {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
};

describe('workspace storage', () => {
  it('round-trips projects and run options per language', () => {
    const storage = memory();
    const workspace: Workspace = {
      language: 'c',
      projects: {
        python: createProject('python', [{ path: 'main.py', content: 'print(1)' }]),
        c: createProject('c', [
          { path: 'main.c', content: 'int main(){}' },
          { path: 'x.bin', content: 'AAE=', encoding: 'base64' },
        ]),
      },
      options: { python: { args: '-v', stdin: 'Ada\n', endInput: false, timeoutSeconds: 2 } },
    };
    expect(saveWorkspace(storage, workspace)).toBe(true);
    expect(loadWorkspace(storage)).toEqual(workspace);
  });

  it('starts empty when nothing or garbage is stored', () => {
    expect(loadWorkspace(memory())).toEqual(EMPTY_WORKSPACE);
    expect(parseWorkspace('{not json')).toEqual(EMPTY_WORKSPACE);
    expect(parseWorkspace('42')).toEqual(EMPTY_WORKSPACE);
  });

  it('drops unreadable parts and references to files that are gone', () => {
    const parsed = parseWorkspace(
      JSON.stringify({
        language: 'python',
        projects: {
          python: {
            files: [{ path: 'a.py', content: 'x' }, { path: 3 }],
            entry: 'gone.py',
            tabs: ['a.py', 'gone.py'],
          },
          broken: { files: 'nope' },
        },
        options: { python: { timeoutSeconds: -1, args: 7 } },
      }),
    );
    expect(Object.keys(parsed.projects)).toEqual(['python']);
    expect(parsed.projects.python).toEqual({
      language: 'python',
      files: [{ path: 'a.py', content: 'x' }],
      folders: [],
      entry: null,
      tabs: ['a.py'],
      active: 'a.py',
    });
    expect(parsed.options.python).toEqual({ args: '', stdin: '', endInput: true, timeoutSeconds: 5 });
  });

  it('reports a refused write instead of throwing', () => {
    const full = {
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(saveWorkspace(full, EMPTY_WORKSPACE)).toBe(false);
    expect(STORAGE_KEY).toMatch(/v1$/);
  });
});
