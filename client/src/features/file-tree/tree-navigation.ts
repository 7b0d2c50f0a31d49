// Keyboard navigation of the file tree, as the WAI-ARIA tree pattern has it: Up/Down move through the visible
// items, Right opens a folder (or moves into an open one), Left closes it (or moves to the parent), Home/End go to
// the first/last item, Enter opens a file or opens/closes a folder. Pure: the component applies what it returns.
import type { TreeNode } from './tree-nodes';

/** One item that can be seen (all its folders are open), in display order. */
export interface VisibleItem {
  node: TreeNode;
  /** 1 at the top. */
  level: number;
  parent: string | null;
  /** For a folder: whether it is open; null for a file. */
  expanded: boolean | null;
}

/** The items on screen, top to bottom: the children of closed folders are left out. */
export function visibleItems(nodes: readonly TreeNode[], collapsed: ReadonlySet<string>): VisibleItem[] {
  const items: VisibleItem[] = [];
  const walk = (level: readonly TreeNode[], depth: number, parent: string | null) => {
    for (const node of level) {
      const expanded = node.kind === 'folder' ? !collapsed.has(node.path) : null;
      items.push({ node, level: depth, parent, expanded });
      if (node.kind === 'folder' && expanded) walk(node.children, depth + 1, node.path);
    }
  };
  walk(nodes, 1, null);
  return items;
}

export type TreeAction =
  | { type: 'focus'; path: string }
  | { type: 'expand'; path: string }
  | { type: 'collapse'; path: string }
  | { type: 'activate'; path: string };

/** What a key does on the item at `path`; null for keys the tree leaves alone (and at the ends of the list). */
export function navigate(items: readonly VisibleItem[], path: string, key: string): TreeAction | null {
  const index = items.findIndex((i) => i.node.path === path);
  const item = items[index];
  if (!item) return null;
  const focus = (target: VisibleItem | undefined): TreeAction | null =>
    target && target !== item ? { type: 'focus', path: target.node.path } : null;
  switch (key) {
    case 'ArrowDown':
      return focus(items[index + 1]);
    case 'ArrowUp':
      return focus(items[index - 1]);
    case 'Home':
      return focus(items[0]);
    case 'End':
      return focus(items.at(-1));
    case 'ArrowRight':
      if (item.expanded === false) return { type: 'expand', path };
      if (item.expanded === true) {
        const child = items[index + 1];
        return child?.parent === path ? focus(child) : null;
      }
      return null;
    case 'ArrowLeft':
      if (item.expanded === true) return { type: 'collapse', path };
      return focus(items.find((i) => i.node.path === item.parent));
    case 'Enter':
      return { type: 'activate', path };
    default:
      return null;
  }
}
