import { describe, expect, it } from 'vitest';
import { extensionOf } from '../../lib/project/paths';
import { STARTER_LANGUAGES, starterFor, starterProject } from './starter';

describe('starter projects', () => {
  it('greets a name read from stdin in Python and C', () => {
    expect(starterFor({ language: 'python', extensions: ['py'] }).content).toContain('input(');
    expect(starterFor({ language: 'c', extensions: ['c', 'h'] }).content).toContain('fgets(');
  });

  it('falls back to an empty main file with the runtime first extension', () => {
    expect(starterFor({ language: 'cobol', extensions: ['cob', 'cbl'] })).toEqual({
      entry: 'main.cob',
      content: '',
    });
    expect(starterFor({ language: 'odd', extensions: [] }).entry).toBe('main.txt');
  });

  it('opens the starter file as the entry of a new project', () => {
    const project = starterProject({ language: 'python', extensions: ['py'] });
    expect(project).toMatchObject({
      language: 'python',
      entry: 'main.py',
      active: 'main.py',
      tabs: ['main.py'],
    });
  });

  it('has a written starter for every common teaching language', () => {
    for (const language of ['python', 'javascript', 'typescript', 'c', 'cpp', 'java', 'rust', 'go', 'ruby']) {
      expect(STARTER_LANGUAGES).toContain(language);
    }
    for (const language of STARTER_LANGUAGES) {
      expect(extensionOf(starterFor({ language, extensions: [] }).entry)).not.toBe('');
    }
  });
});
