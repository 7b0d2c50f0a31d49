import { describe, expect, it } from 'vitest';
import { navigate, visibleItems } from './tree-navigation';
import { buildTree } from './tree-nodes';

const tree = buildTree(
  [{ path: 'main.py' }, { path: 'lib/a.py' }, { path: 'lib/deep/b.py' }, { path: 'z.txt' }],
  ['empty'],
);

describe('file tree keyboard navigation', () => {
  it('lists what is visible with levels and parents, leaving out what closed folders hold', () => {
    const open = visibleItems(tree, new Set());
    expect(open.map((i) => [i.node.path, i.level, i.parent, i.expanded])).toEqual([
      ['empty', 1, null, true],
      ['lib', 1, null, true],
      ['lib/deep', 2, 'lib', true],
      ['lib/deep/b.py', 3, 'lib/deep', null],
      ['lib/a.py', 2, 'lib', null],
      ['main.py', 1, null, null],
      ['z.txt', 1, null, null],
    ]);
    expect(visibleItems(tree, new Set(['lib'])).map((i) => i.node.path)).toEqual([
      'empty',
      'lib',
      'main.py',
      'z.txt',
    ]);
  });

  it('moves with Up, Down, Home and End, and stops at the ends', () => {
    const items = visibleItems(tree, new Set());
    expect(navigate(items, 'lib', 'ArrowDown')).toEqual({ type: 'focus', path: 'lib/deep' });
    expect(navigate(items, 'lib', 'ArrowUp')).toEqual({ type: 'focus', path: 'empty' });
    expect(navigate(items, 'lib/a.py', 'Home')).toEqual({ type: 'focus', path: 'empty' });
    expect(navigate(items, 'lib/a.py', 'End')).toEqual({ type: 'focus', path: 'z.txt' });
    expect(navigate(items, 'empty', 'ArrowUp')).toBeNull();
    expect(navigate(items, 'z.txt', 'ArrowDown')).toBeNull();
    expect(navigate(items, 'z.txt', 'End')).toBeNull();
  });

  it('opens and enters folders with Right, closes them or goes to the parent with Left', () => {
    const closed = visibleItems(tree, new Set(['lib']));
    expect(navigate(closed, 'lib', 'ArrowRight')).toEqual({ type: 'expand', path: 'lib' });
    expect(navigate(closed, 'lib', 'ArrowLeft')).toBeNull();
    const open = visibleItems(tree, new Set());
    expect(navigate(open, 'lib', 'ArrowRight')).toEqual({ type: 'focus', path: 'lib/deep' });
    expect(navigate(open, 'empty', 'ArrowRight')).toBeNull(); // open, but nothing inside
    expect(navigate(open, 'lib', 'ArrowLeft')).toEqual({ type: 'collapse', path: 'lib' });
    expect(navigate(open, 'lib/deep/b.py', 'ArrowLeft')).toEqual({ type: 'focus', path: 'lib/deep' });
    expect(navigate(open, 'main.py', 'ArrowRight')).toBeNull();
    expect(navigate(open, 'main.py', 'ArrowLeft')).toBeNull();
  });

  it('activates with Enter and ignores other keys and unknown paths', () => {
    const items = visibleItems(tree, new Set());
    expect(navigate(items, 'main.py', 'Enter')).toEqual({ type: 'activate', path: 'main.py' });
    expect(navigate(items, 'main.py', 'x')).toBeNull();
    expect(navigate(items, 'gone.py', 'ArrowDown')).toBeNull();
  });
});
