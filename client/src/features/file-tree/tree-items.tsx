import type { TreeNode } from './tree-nodes';

interface TreeItemsProps {
  nodes: readonly TreeNode[];
  level: number;
  selected: string | null;
  /** The one item in the Tab order (roving tabindex); the others are reached with the arrow keys. */
  focusable: string | null;
  entry: string | null;
  collapsed: ReadonlySet<string>;
  onSelect: (node: TreeNode) => void;
}

/** The accessible name of an item: its name, and whether it is a folder or the file that runs first. */
function itemLabel(node: TreeNode, entry: string | null): string {
  return `${node.name}${node.kind === 'folder' ? ' (folder)' : ''}${node.path === entry ? ' (runs first)' : ''}`;
}

/**
 * The items of one level of the ARIA tree (role=tree is the caller's, role=group below): each a treeitem with
 * aria-level, aria-selected and, for folders, aria-expanded, holding its open folder's group. Clicks go to the row.
 */
export function TreeItems(props: TreeItemsProps) {
  const { nodes, level, selected, focusable, entry, collapsed, onSelect } = props;
  return nodes.map((node) => {
    const open = node.kind === 'folder' && !collapsed.has(node.path);
    const isSelected = node.path === selected;
    return (
      <li
        key={node.path}
        role="treeitem"
        className="tree-node"
        aria-level={level}
        aria-selected={isSelected}
        aria-expanded={node.kind === 'folder' ? open : undefined}
        aria-label={itemLabel(node, entry)}
        tabIndex={node.path === focusable ? 0 : -1}
        data-item={node.path}
      >
        <div
          className={`tree-item tree-item--${node.kind}${isSelected ? ' tree-item--selected' : ''}`}
          style={{ paddingInlineStart: `${0.5 + (level - 1) * 1}rem` }}
          data-path={node.path}
          title={node.path}
          onClick={() => onSelect(node)}
        >
          <span className="tree-item__icon" aria-hidden="true">
            {node.kind === 'folder' ? (open ? '▾' : '▸') : '·'}
          </span>
          <span className="tree-item__name">{node.name}</span>
          {node.path === entry && (
            <span className="entry-mark" aria-hidden="true">
              ▶
            </span>
          )}
        </div>
        {node.kind === 'folder' && open && node.children.length > 0 && (
          <ul className="tree-items" role="group">
            <TreeItems {...props} nodes={node.children} level={level + 1} />
          </ul>
        )}
      </li>
    );
  });
}
