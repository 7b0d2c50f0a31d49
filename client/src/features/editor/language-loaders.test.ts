import { describe, expect, it } from 'vitest';
import { editorLanguageFor } from './language-loaders';

describe('syntax highlighting by extension', () => {
  it('uses the official packages where they exist and legacy modes for the rest', () => {
    const names = [
      'a.py',
      'a.ts',
      'a.c',
      'a.hpp',
      'Main.java',
      'a.rs',
      'a.go',
      'a.php',
      'a.sql',
      'a.rb',
      'a.sh',
      'a.lua',
      'a.R',
      'a.hs',
    ].map((p) => editorLanguageFor(p)?.name);
    expect(names).toEqual([
      'Python',
      'TypeScript',
      'C/C++',
      'C/C++',
      'Java',
      'Rust',
      'Go',
      'PHP',
      'SQL',
      'Ruby',
      'Shell',
      'Lua',
      'R',
      'Haskell',
    ]);
  });

  it('falls back to plain text, and does not read a Prolog .pl as Perl', () => {
    expect(editorLanguageFor('notes.txt')).toBeNull();
    expect(editorLanguageFor('Makefile')).toBeNull();
    expect(editorLanguageFor('main.pl')?.name).toBe('Perl');
    expect(editorLanguageFor('main.pl', 'prolog')).toBeNull();
  });

  it('loads each highlighter on demand', async () => {
    for (const path of ['a.py', 'a.cpp', 'a.rb', 'a.ml', 'a.sql']) {
      await expect(editorLanguageFor(path)?.load()).resolves.toBeTruthy();
    }
  });
});
