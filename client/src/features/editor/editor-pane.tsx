import { closeTab, openFile, updateContent, type Project } from '../../lib/project/project';
import { CodeEditor, EDITOR_KEYS_HELP_ID } from './code-editor';
import { EditorTabs } from './editor-tabs';
import { editorLanguageFor } from './language-loaders';
import './editor.css';

interface EditorPaneProps {
  project: Project;
  dark: boolean;
  /** Applies a change to the latest project (updates may arrive faster than renders). */
  onUpdate: (update: (project: Project) => Project) => void;
}

/** Tabs over the editor of the shown file; binary files are listed but not editable. */
export function EditorPane({ project, dark, onUpdate }: EditorPaneProps) {
  const file = project.files.find((f) => f.path === project.active) ?? null;
  const highlight = file ? (editorLanguageFor(file.path, project.language)?.name ?? 'Plain text') : null;
  return (
    <section className="editor-pane" aria-label="Editor">
      <div className="editor-pane__bar">
        <EditorTabs
          tabs={project.tabs}
          active={project.active}
          entry={project.entry}
          onSelect={(path) => onUpdate((p) => openFile(p, path))}
          onClose={(path) => onUpdate((p) => closeTab(p, path))}
        />
        {highlight && (
          <span className="editor-pane__mode" data-testid="editor-mode">
            {highlight}
          </span>
        )}
      </div>
      <p id={EDITOR_KEYS_HELP_ID} className="sr-only">
        Tab indents. Press Escape, then Tab, to move focus out of the editor. Ctrl+Enter runs the project.
      </p>
      <div className="editor-pane__body">
        {file === null && (
          <p className="editor-pane__empty">No file open. Pick one in the file tree or create one.</p>
        )}
        {file?.encoding === 'base64' && (
          <p className="editor-pane__empty">
            {file.path} is a binary file: it is sent with the project but cannot be edited here.
          </p>
        )}
        {file && file.encoding !== 'base64' && (
          <CodeEditor
            path={file.path}
            content={file.content}
            language={project.language}
            dark={dark}
            onChange={(path, content) => onUpdate((p) => updateContent(p, path, content))}
          />
        )}
      </div>
    </section>
  );
}
