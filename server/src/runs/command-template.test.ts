import { describe, expect, it } from 'vitest';
import { expandCommand } from './command-template.js';

describe('expandCommand', () => {
  const context = {
    entry: 'src/main.c',
    files: ['src/main.c', ' -wrapper sh,-c,touch x/util.h', 'include/a.h', 'include/b.hpp', 'top.h'],
    args: ['a b', 'c'],
  };

  it('gives one argument per folder holding a file of the extensions, with the prefix, sorted', () => {
    expect(expandCommand(['gcc', '-I{dirs:.h}', '{files:.c}'], context)).toEqual([
      'gcc',
      '-I.',
      '-I./ -wrapper sh,-c,touch x',
      '-I./include',
      'src/main.c',
    ]);
    expect(expandCommand(['-I{dirs:.h,.hpp}'], context)).toEqual([
      '-I.',
      '-I./ -wrapper sh,-c,touch x',
      '-I./include',
    ]);
    expect(expandCommand(['{dirs:.hrl}'], context)).toEqual([]);
  });

  it('never splits a name with spaces into several arguments', () => {
    const argv = expandCommand(['cc', '{files}', '{entry}', '-i./{entryDir}'], {
      ...context,
      entry: ' -wrapper sh,-c,touch x/util.h',
    });
    expect(argv).toHaveLength(1 + context.files.length + 2);
    expect(argv.at(-1)).toBe('-i./ -wrapper sh,-c,touch x');
  });

  it('leaves other braces alone', () => {
    expect(expandCommand(['{dirs:h}', 'a{dirs:.h}b'], context)).toEqual(['{dirs:h}', 'a{dirs:.h}b']);
  });
});
