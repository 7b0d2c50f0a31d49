import { useState, type KeyboardEvent } from 'react';
import { deletePath, kindOf, openFile, setEntry, type Project } from '../../lib/project/project';
import { NamePrompt } from './name-prompt';
import { createEntry, renameEntry, targetFolder } from './tree-commands';
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
  // The selection falls back to the file in the editor (after a delete, or when the project was replaced).
  const current = selected !== null && kindOf(project, selected) !== null ? selected : project.active;
  const selectedKind = current === null ? null : kindOf(project, current);
  const tree = buildTree(project.files, project.folders);

  const select = (node: TreeNode) => {
    setSelected(node.path);
    if (node.kind === 'file') onUpdate((p) => openFile(p, node.path));
    else
      setCollapsed((old) => {
        const next = new Set(old);
        if (!next.delete(node.path)) next.add(node.path);
        return next;
      });
  };

  const remove = (path: string) => {
    const what = kindOf(project, path) === 'folder' ? `the folder ${path} and everything in it` : path;
    if (!window.confirm(`Delete ${what}?`)) return;
    onUpdate((p) => deletePath(p, path));
    setSelected(null);
  };

  const onKey = (node: TreeNode, event: KeyboardEvent) => {
    if (event.key === 'F2') {
      event.preventDefault();
      setSelected(node.path);
      setPrompt({ mode: 'rename', path: node.path });
    } else if (event.key === 'Delete') {
      event.preventDefault();
      remove(node.path);
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
        <TreeItems
          nodes={tree}
          depth={0}
          selected={current}
          entry={project.entry}
          collapsed={collapsed}
          onSelect={select}
          onKey={onKey}
        />
      )}
    </section>
  );
}
