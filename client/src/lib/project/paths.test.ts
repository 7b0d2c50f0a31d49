import { describe, expect, it } from 'vitest';
import { ancestorsOf, basename, dirname, extensionOf, isWithin, normalizePath, pathProblem } from './paths';

describe('project paths', () => {
  it('normalizes what a student types into a relative path', () => {
    expect(normalizePath('  ./lib//util.py ')).toBe('lib/util.py');
    expect(normalizePath('/abs\\win\\path/')).toBe('abs/win/path');
  });

  it('refuses names the server would refuse', () => {
    expect(pathProblem('')).toMatch(/empty/);
    expect(pathProblem('a/../b')).toMatch(/\.\./);
    expect(pathProblem('a/./b')).toMatch(/"\."/);
    expect(pathProblem('bad\u0001name')).toMatch(/control/);
    expect(pathProblem('x'.repeat(256))).toMatch(/longer/);
    expect(pathProblem('lib/ util.py')).toMatch(/space/);
    expect(pathProblem('lib/util.py')).toBeNull();
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
