import { describe, expect, it } from 'vitest';
import { createProject } from '../../lib/project/project';
import { DEFAULT_RUN_OPTIONS } from '../../lib/run-options';
import { buildRunMessage } from './build-run-message';

const project = createProject(
  'python',
  [
    { path: 'main.py', content: 'import lib' },
    { path: 'lib.py', content: '' },
    { path: 'data.bin', content: 'AAE=', encoding: 'base64' },
  ],
  { entry: 'main.py' },
);

describe('buildRunMessage', () => {
  it('marks the entry with toBeExec, keeps binary files base64 and sets the time limit', () => {
    const built = buildRunMessage(project, { ...DEFAULT_RUN_OPTIONS, timeoutSeconds: 1.5, args: 'a "b c"' });
    expect(built).toEqual({
      message: {
        type: 'run',
        request: {
          language: 'python',
          files: [
            { name: 'main.py', content: 'import lib', toBeExec: true },
            { name: 'lib.py', content: '' },
            { name: 'data.bin', content: 'AAE=', encoding: 'base64' },
          ],
          args: ['a', 'b c'],
          limits: { timeoutMs: 1500 },
        },
        stdinOpen: true,
      },
    });
  });

  it('closes stdin after up-front input only when asked to', () => {
    const withInput = (endInput: boolean) =>
      buildRunMessage(project, { ...DEFAULT_RUN_OPTIONS, stdin: 'Ada\n', endInput });
    expect(withInput(true)).toMatchObject({ message: { stdinOpen: false, request: { stdin: 'Ada\n' } } });
    expect(withInput(false)).toMatchObject({ message: { stdinOpen: true } });
  });

  it('refuses a project without files, without an entry, or with broken arguments', () => {
    expect(buildRunMessage(createProject('python', []), DEFAULT_RUN_OPTIONS)).toHaveProperty('problem');
    expect(buildRunMessage({ ...project, entry: null }, DEFAULT_RUN_OPTIONS)).toHaveProperty('problem');
    expect(buildRunMessage(project, { ...DEFAULT_RUN_OPTIONS, args: '"x' })).toHaveProperty('problem');
    expect(buildRunMessage(project, { ...DEFAULT_RUN_OPTIONS, args: 'a '.repeat(65) })).toHaveProperty(
      'problem',
    );
  });
});
