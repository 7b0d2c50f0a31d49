import { describe, expect, it } from 'vitest';
import { createProject } from './project';
import {
  BACKUP_KEY,
  createWorkspaceSaver,
  EMPTY_WORKSPACE,
  loadWorkspace,
  parseWorkspace,
  readWorkspace,
  saveWorkspace,
  STORAGE_KEY,
  type Workspace,
} from './workspace-storage';

const memory = (initial: Record<string, string> = {}) => {
  const items = new Map<string, string>(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
};

/** A console that keeps what is warned. */
const recorder = () => {
  const warnings: string[] = [];
  return { warnings, warn: (...args: unknown[]) => void warnings.push(args.map(String).join(' ')) };
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
    const log = recorder();
    expect(loadWorkspace(storage, log)).toEqual(workspace);
    expect(log.warnings).toEqual([]);
    expect(storage.items.has(BACKUP_KEY)).toBe(false);
  });

  it('starts empty when nothing or garbage is stored, says so, and keeps the garbage aside', () => {
    expect(loadWorkspace(memory())).toEqual(EMPTY_WORKSPACE);
    expect(parseWorkspace('{not json')).toEqual(EMPTY_WORKSPACE);
    expect(parseWorkspace('42')).toEqual(EMPTY_WORKSPACE);
    expect(parseWorkspace('[]')).toEqual(EMPTY_WORKSPACE);
    const storage = memory({ [STORAGE_KEY]: '{not json' });
    const log = recorder();
    expect(loadWorkspace(storage, log)).toEqual(EMPTY_WORKSPACE);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain('not JSON');
    expect(log.warnings[0]).toContain(BACKUP_KEY);
    expect(storage.items.get(BACKUP_KEY)).toBe('{not json');
  });

  it('drops stored files and folders whose names the protocol refuses, naming each and why', () => {
    const stored = JSON.stringify({
      language: 'python',
      projects: {
        python: {
          files: [
            { path: 'main.py', content: 'ok' },
            { path: '-rf.py', content: 'dash' },
            { path: '../escape.py', content: 'up' },
            { path: 'main.py', content: 'twice' },
          ],
          folders: ['lib', '-o', 3],
          entry: '-rf.py',
          tabs: ['main.py', '-rf.py', 'main.py'],
          active: '../escape.py',
        },
      },
      options: {},
    });
    const storage = memory({ [STORAGE_KEY]: stored });
    const log = recorder();
    const workspace = loadWorkspace(storage, log);
    expect(workspace.projects.python).toEqual({
      language: 'python',
      files: [{ path: 'main.py', content: 'ok' }],
      folders: ['lib'],
      entry: null,
      tabs: ['main.py'],
      active: 'main.py',
    });
    const [warning = ''] = log.warnings;
    expect(warning).toContain('"-rf.py" has a segment beginning with "-"');
    expect(warning).toContain('"../escape.py" contains a ".." segment');
    expect(warning).toContain('a second file named main.py');
    expect(warning).toContain('folder "-o"');
    expect(storage.items.get(BACKUP_KEY)).toBe(stored);
    expect(readWorkspace(JSON.stringify(workspace)).dropped).toEqual([]);
  });

  it('still loads, and warns, when the backup cannot be written', () => {
    const log = recorder();
    const full = {
      getItem: () => '{"projects":{"c":{"files":[{"path":"/abs.c","content":""}]}}}',
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(loadWorkspace(full, log).projects.c?.files).toEqual([]);
    expect(log.warnings[0]).toContain('could not be backed up');
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

  it("keeps a project's test cases and drops the ones the protocol refuses, naming them", () => {
    const project = {
      ...createProject('python', [{ path: 'main.py', content: '' }]),
      tests: [
        { name: 'one', stdin: '1\n', expectedOutput: '1\n', compare: 'tokens', points: 2, hidden: true },
        { name: 'bad', compare: 'fuzzy' },
      ],
    };
    const { workspace, dropped } = readWorkspace(
      JSON.stringify({ language: 'python', projects: { python: project } }),
    );
    expect(workspace.projects.python?.tests).toEqual([project.tests[0]]);
    expect(dropped).toEqual([expect.stringMatching(/^python: test #2 compare: /)]);
    const none = readWorkspace(JSON.stringify({ projects: { python: createProject('python', []) } }));
    expect(none.workspace.projects.python).not.toHaveProperty('tests');
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

describe('the workspace saver', () => {
  it('tells its subscribers when saving starts or stops failing, and only then', () => {
    let refuse = false;
    const saved: string[] = [];
    const saver = createWorkspaceSaver({
      setItem: (_key, value) => {
        if (refuse) throw new Error('QuotaExceededError');
        saved.push(value);
      },
    });
    let calls = 0;
    saver.subscribe(() => calls++);
    saver.save(EMPTY_WORKSPACE);
    expect([saver.failed(), calls, saved.length]).toEqual([false, 0, 1]);
    refuse = true;
    saver.save(EMPTY_WORKSPACE);
    saver.save(EMPTY_WORKSPACE);
    expect([saver.failed(), calls]).toEqual([true, 1]);
    refuse = false;
    saver.save(EMPTY_WORKSPACE);
    expect([saver.failed(), calls, saved.length]).toEqual([false, 2, 2]);
  });
});
