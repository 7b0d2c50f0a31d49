import { describe, expect, it } from 'vitest';
import type { RuntimeInfo } from '@coderunner/protocol';
import { updateContent } from '../lib/project/project';
import { EMPTY_WORKSPACE } from '../lib/project/workspace-storage';
import { DEFAULT_RUN_OPTIONS } from '../lib/run-options';
import {
  currentOptions,
  currentProject,
  resetProject,
  settleLanguage,
  switchLanguage,
  updateOptions,
  updateProject,
} from './workspace-actions';

const runtime = (language: string, extensions: string[]): RuntimeInfo => ({
  language,
  displayName: language,
  version: '1',
  aliases: [],
  extensions,
  compiled: false,
  extraArgs: [],
  libraries: [],
});
const python = runtime('python', ['py']);
const c = runtime('c', ['c', 'h']);

describe('the workspace (one project per language)', () => {
  it('settles on Python when nothing is stored, else keeps the stored language if the server has it', () => {
    const first = settleLanguage(EMPTY_WORKSPACE, [c, python]);
    expect(first.language).toBe('python');
    expect(currentProject(first)?.entry).toBe('main.py');
    expect(settleLanguage({ ...first, language: 'c' }, [c, python]).language).toBe('c');
    expect(settleLanguage({ ...first, language: 'cobol' }, [c]).language).toBe('c');
    expect(settleLanguage(first, [python])).toBe(first);
  });

  it('keeps each language project when switching back and forth', () => {
    let ws = settleLanguage(EMPTY_WORKSPACE, [python, c]);
    ws = updateProject(ws, (p) => updateContent(p, 'main.py', 'print("mine")'));
    ws = switchLanguage(ws, c);
    expect(currentProject(ws)?.files[0]?.path).toBe('main.c');
    ws = switchLanguage(ws, python);
    expect(currentProject(ws)?.files[0]?.content).toBe('print("mine")');
    ws = resetProject(ws, python);
    expect(currentProject(ws)?.files[0]?.content).toContain('input(');
  });

  it('keeps run options per language', () => {
    let ws = settleLanguage(EMPTY_WORKSPACE, [python, c]);
    expect(currentOptions(ws)).toEqual(DEFAULT_RUN_OPTIONS);
    ws = updateOptions(ws, { ...DEFAULT_RUN_OPTIONS, args: '-x' });
    expect(currentOptions(switchLanguage(ws, c)).args).toBe('');
    expect(currentOptions(ws).args).toBe('-x');
  });
});
