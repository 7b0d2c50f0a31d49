import { describe, expect, it } from 'vitest';
import { ancestorsOf, basename, dirname, extensionOf, isWithin, normalizePath } from './paths';

describe('project paths', () => {
  it('tidies the paths zip tools write into relative ones', () => {
    expect(normalizePath('  ./lib//util.py ')).toBe('lib/util.py');
    expect(normalizePath('/abs\\win\\path/')).toBe('abs/win/path');
    expect(normalizePath('dir/')).toBe('dir');
  });

  it('splits paths into folder, name and extension', () => {
    expect(dirname('a/b/c.py')).toBe('a/b');
    expect(dirname('c.py')).toBe('');
    expect(basename('a/b/c.py')).toBe('c.py');
    expect(extensionOf('a/Main.JAVA')).toBe('java');
    expect(extensionOf('.gitignore')).toBe('');
    expect(extensionOf('Makefile')).toBe('');
    expect(ancestorsOf('a/b/c.py')).toEqual(['a', 'a/b']);
  });

  it('knows what lies within a folder, and that a prefix is not enough', () => {
    expect(isWithin('lib/a.py', 'lib')).toBe(true);
    expect(isWithin('lib', 'lib')).toBe(true);
    expect(isWithin('library/a.py', 'lib')).toBe(false);
  });
});
