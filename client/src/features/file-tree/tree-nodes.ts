import { ancestorsOf, basename } from '../../lib/project/paths';

export type TreeNode =
  | { kind: 'folder'; path: string; name: string; children: TreeNode[] }
  | { kind: 'file'; path: string; name: string };

const byName = (a: TreeNode, b: TreeNode) =>
  a.kind !== b.kind
    ? a.kind === 'folder'
      ? -1
      : 1
    : a.name.localeCompare(b.name, undefined, { numeric: true });

/** Builds the nested tree from flat file paths and declared folders: folders first, then files, by name. */
export function buildTree(files: readonly { path: string }[], folders: readonly string[]): TreeNode[] {
  const root: TreeNode[] = [];
  const folderNodes = new Map<string, TreeNode[]>([['', root]]);
  const ensureFolder = (path: string): TreeNode[] => {
    const existing = folderNodes.get(path);
    if (existing) return existing;
    const parentPath = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const parent = ensureFolder(parentPath);
    const children: TreeNode[] = [];
    parent.push({ kind: 'folder', path, name: basename(path), children });
    folderNodes.set(path, children);
    return children;
  };
  for (const folder of folders) ensureFolder(folder);
  for (const file of files) {
    const ancestors = ancestorsOf(file.path);
    const parent = ensureFolder(ancestors.at(-1) ?? '');
    parent.push({ kind: 'file', path: file.path, name: basename(file.path) });
  }
  const sort = (nodes: TreeNode[]) => {
    nodes.sort(byName);
    for (const node of nodes) if (node.kind === 'folder') sort(node.children);
  };
  sort(root);
  return root;
}
