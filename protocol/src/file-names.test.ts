import { describe, expect, it } from 'vitest';
import { fileNameProblem } from './file-names.js';

describe('fileNameProblem', () => {
  it.each(['main.py', 'lib/util.py', 'a b/c d.h', 'x-y/z-.c', 'ünï/cødé.py', '.hidden/x', 'a@b/c@.c'])(
    'accepts %j',
    (name) => {
      expect(fileNameProblem(name)).toBeNull();
    },
  );

  it.each([
    ['', 'is empty'],
    ['/etc/passwd', 'is absolute'],
    ['../x', '".."'],
    ['a/./b', '"."'],
    ['a//b', 'empty path segment'],
    ['a\\b', 'backslash'],
    ['a\0b', 'NUL'],
    ['a\nb', 'control character'],
    ['-o', 'beginning with "-"'],
    ['src/-wrapper/x.h', 'beginning with "-"'],
    ['@opts.c', 'beginning with "@"'],
    ['src/@x/main.java', 'beginning with "@"'],
    [' -wrapper /bin/sh,-c,touch x/a.h', null],
    ['x'.repeat(256), 'longer than 255'],
    [`${'a/'.repeat(600)}b`, 'longer than 1024'],
  ])('refuses %j', (name, why) => {
    const problem = fileNameProblem(name);
    if (why === null) {
      // A leading space is not a dash: allowed as a name, and the command templates must quote it.
      expect(problem).toBeNull();
    } else {
      expect(problem).toContain(why);
    }
  });
});
