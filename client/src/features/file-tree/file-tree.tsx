import { useRef, useState, type KeyboardEvent } from 'react';
import { deletePath, kindOf, openFile, setEntry, type Project } from '../../lib/project/project';
import { NamePrompt } from './name-prompt';
import { createEntry, renameEntry, targetFolder } from './tree-commands';
import { navigate, visibleItems } from './tree-navigation';
import { buildTree, type TreeNode } from './tree-nodes';
import { TreeItems } from './tree-items';
import './file-tree.css';

interface FileTreeProps {
  project: Project;
  /** Applies a change to the latest project. */
  onUpdate: (update: (project: Project) => Project) => void;
}

type Prompt = { mode: 'file' | 'folder'; folder: string } | { mode: 'rename'; path: string } | null;

/** The project's files and folders with new file / new folder / rename / delete / run-first actions. */
export function FileTree({ project, onUpdate }: FileTreeProps) {
  const [selected, setSelected] = useState<string | null>(project.active);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [prompt, setPrompt] = useState<Prompt>(null);
  const treeRef = useRef<HTMLUListElement>(null);
  // The selection falls back to the file in the editor (after a delete, or when the project was replaced).
  const current = selected !== null && kindOf(project, selected) !== null ? selected : project.active;
  const selectedKind = current === null ? null : kindOf(project, current);
  const tree = buildTree(project.files, project.folders);
  const visible = visibleItems(tree, collapsed);
  // Roving tabindex: Tab reaches the selected item when it can be seen, else the first one.
  const focusable = visible.some((i) => i.node.path === current) ? current : (visible[0]?.node.path ?? null);

  // Arrow keys only ever move to items on screen, so the target is already rendered.
  const focusItem = (path: string) => {
    const items = treeRef.current?.querySelectorAll<HTMLElement>('[role="treeitem"]') ?? [];
    for (const item of items) if (item.dataset.item === path) item.focus();
  };

  const toggle = (path: string, open: boolean) =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (open) next.delete(path);
      else next.add(path);
      return next;
    });

  const select = (node: TreeNode) => {
    setSelected(node.path);
    if (node.kind === 'file') onUpdate((p) => openFile(p, node.path));
    else toggle(node.path, collapsed.has(node.path));
  };

  const remove = (path: string) => {
    const what = kindOf(project, path) === 'folder' ? `the folder ${path} and everything in it` : path;
    if (!window.confirm(`Delete ${what}?`)) return;
    onUpdate((p) => deletePath(p, path));
    setSelected(null);
  };

  const onKey = (event: KeyboardEvent<HTMLUListElement>) => {
    const path = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]')?.dataset.item;
    if (path === undefined || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === 'F2') {
      event.preventDefault();
      setSelected(path);
      setPrompt({ mode: 'rename', path });
      return;
    }
    if (event.key === 'Delete') {
      event.preventDefault();
      remove(path);
      return;
    }
    const action = navigate(visible, path, event.key);
    if (!action) return;
    event.preventDefault();
    switch (action.type) {
      case 'focus':
        // Selection follows focus (Rename, Delete and Run first apply to it); Enter opens the file.
        setSelected(action.path);
        focusItem(action.path);
        break;
      case 'expand':
        toggle(action.path, true);
        break;
      case 'collapse':
        toggle(action.path, false);
        break;
      case 'activate': {
        const node = visible.find((i) => i.node.path === action.path)?.node;
        if (node) select(node);
        break;
      }
    }
  };

  const submit = (name: string): string | null => {
    if (!prompt) return null;
    const result =
      prompt.mode === 'rename'
        ? renameEntry(project, prompt.path, name)
        : createEntry(project, prompt.mode, prompt.folder, name);
    if ('problem' in result) return result.problem;
    onUpdate(() => result.project);
    setSelected(result.path);
    setPrompt(null);
    return null;
  };

  const folder = targetFolder(project, current);
  const promptLabel =
    prompt?.mode === 'rename'
      ? `Rename ${prompt.path} to`
      : `New ${prompt?.mode ?? 'file'} in ${prompt && prompt.folder !== '' ? `${prompt.folder}/` : 'the top folder'}`;

  return (
    <section className="file-tree" aria-label="Files" data-testid="file-tree">
      <div className="file-tree__toolbar" role="toolbar" aria-label="File actions">
        <button
          type="button"
          className="button button--small"
          data-testid="new-file"
          onClick={() => setPrompt({ mode: 'file', folder })}
        >
          + File
        </button>
        <button
          type="button"
          className="button button--small"
          data-testid="new-folder"
          onClick={() => setPrompt({ mode: 'folder', folder })}
        >
          + Folder
        </button>
        <button
          type="button"
          className="button button--small"
          disabled={current === null}
          title="Rename (F2)"
          onClick={() => current && setPrompt({ mode: 'rename', path: current })}
        >
          Rename
        </button>
        <button
          type="button"
          className="button button--small"
          disabled={current === null}
          title="Delete (Del)"
          onClick={() => current && remove(current)}
        >
          Delete
        </button>
        <button
          type="button"
          className="button button--small"
          data-testid="set-entry"
          disabled={selectedKind !== 'file' || current === project.entry}
          title="Run this file first (the entry file, toBeExec)"
          onClick={() => current && onUpdate((p) => setEntry(p, current))}
        >
          ▶ Run first
        </button>
      </div>
      {prompt && (
        <NamePrompt
          key={`${prompt.mode}:${prompt.mode === 'rename' ? prompt.path : prompt.folder}`}
          label={promptLabel}
          initial={prompt.mode === 'rename' ? prompt.path : ''}
          onSubmit={submit}
          onCancel={() => setPrompt(null)}
        />
      )}
      {tree.length === 0 ? (
        <p className="file-tree__empty">No files yet.</p>
      ) : (
        <ul
          ref={treeRef}
          className="tree-items"
          role="tree"
          aria-label="Project files"
          data-testid="file-tree-items"
          onKeyDown={onKey}
        >
          <TreeItems
            nodes={tree}
            level={1}
            selected={current}
            focusable={focusable}
            entry={project.entry}
            collapsed={collapsed}
            onSelect={select}
          />
        </ul>
      )}
    </section>
  );
}
