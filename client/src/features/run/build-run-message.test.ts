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

  it('sends the test cases with the project, without up-front input, and closes stdin', () => {
    const tests = [{ name: 'one', stdin: '1\n', expectedOutput: '1\n' }, { hidden: true }];
    const built = buildRunMessage(
      project,
      { ...DEFAULT_RUN_OPTIONS, stdin: 'ignored\n', endInput: false },
      { tests, stopOnFirstFailure: true },
    );
    expect(built).toMatchObject({
      message: { stdinOpen: false, request: { tests, stopOnFirstFailure: true } },
    });
    expect(built).not.toHaveProperty('message.request.stdin');
    expect(buildRunMessage(project, DEFAULT_RUN_OPTIONS, { tests })).not.toHaveProperty(
      'message.request.stopOnFirstFailure',
    );
    expect(buildRunMessage(project, DEFAULT_RUN_OPTIONS, { tests: [] })).toEqual({
      problem: 'there are no test cases: add one first',
    });
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
