import { describe, expect, it } from 'vitest';
import { buildTree } from './tree-nodes';

describe('buildTree', () => {
  it('nests files in folders, folders first, names in natural order, empty folders included', () => {
    const tree = buildTree(
      [
        { path: 'main.py' },
        { path: 'lib/b.py' },
        { path: 'lib/a10.py' },
        { path: 'lib/a9.py' },
        { path: 'lib/x/y.py' },
      ],
      ['empty'],
    );
    expect(tree).toEqual([
      { kind: 'folder', path: 'empty', name: 'empty', children: [] },
      {
        kind: 'folder',
        path: 'lib',
        name: 'lib',
        children: [
          {
            kind: 'folder',
            path: 'lib/x',
            name: 'x',
            children: [{ kind: 'file', path: 'lib/x/y.py', name: 'y.py' }],
          },
          { kind: 'file', path: 'lib/a9.py', name: 'a9.py' },
          { kind: 'file', path: 'lib/a10.py', name: 'a10.py' },
          { kind: 'file', path: 'lib/b.py', name: 'b.py' },
        ],
      },
      { kind: 'file', path: 'main.py', name: 'main.py' },
    ]);
  });

  it('creates the parents of a deeply declared folder', () => {
    expect(buildTree([], ['a/b'])).toEqual([
      {
        kind: 'folder',
        path: 'a',
        name: 'a',
        children: [{ kind: 'folder', path: 'a/b', name: 'b', children: [] }],
      },
    ]);
  });
});
