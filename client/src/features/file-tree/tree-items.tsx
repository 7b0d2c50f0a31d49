import type { KeyboardEvent } from 'react';
import type { TreeNode } from './tree-nodes';

interface TreeItemsProps {
  nodes: readonly TreeNode[];
  depth: number;
  selected: string | null;
  entry: string | null;
  collapsed: ReadonlySet<string>;
  onSelect: (node: TreeNode) => void;
  onKey: (node: TreeNode, event: KeyboardEvent) => void;
}

/** One level of the tree as a nested list of buttons (folders say whether they are expanded). */
export function TreeItems({ nodes, depth, selected, entry, collapsed, onSelect, onKey }: TreeItemsProps) {
  return (
    <ul className="tree-items" role={depth === 0 ? undefined : 'group'}>
      {nodes.map((node) => {
        const open = node.kind === 'folder' && !collapsed.has(node.path);
        return (
          <li key={node.path}>
            <button
              type="button"
              className={`tree-item tree-item--${node.kind}${node.path === selected ? ' tree-item--selected' : ''}`}
              style={{ paddingInlineStart: `${0.5 + depth * 1}rem` }}
              aria-current={node.path === selected ? 'true' : undefined}
              aria-expanded={node.kind === 'folder' ? open : undefined}
              data-path={node.path}
              title={node.path}
              onClick={() => onSelect(node)}
              onKeyDown={(event) => onKey(node, event)}
            >
              <span className="tree-item__icon" aria-hidden="true">
                {node.kind === 'folder' ? (open ? '▾' : '▸') : '·'}
              </span>
              <span className="tree-item__name">{node.name}</span>
              {node.kind === 'folder' && <span className="sr-only"> (folder)</span>}
              {node.path === entry && (
                <>
                  <span className="entry-mark" aria-hidden="true">
                    ▶
                  </span>
                  <span className="sr-only"> (runs first)</span>
                </>
              )}
            </button>
            {node.kind === 'folder' && open && node.children.length > 0 && (
              <TreeItems
                nodes={node.children}
                depth={depth + 1}
                selected={selected}
                entry={entry}
                collapsed={collapsed}
                onSelect={onSelect}
                onKey={onKey}
              />
            )}
          </li>
        );
      })}
    </ul>
  );
}
