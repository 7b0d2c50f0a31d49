import { indentWithTab } from '@codemirror/commands';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { editorLanguageFor } from './language-loaders';
import { editorTheme } from './editor-theme';

/** The id of the text that tells how to leave the editor with the keyboard (rendered by EditorPane). */
export const EDITOR_KEYS_HELP_ID = 'editor-keys-help';

interface CodeEditorProps {
  path: string;
  content: string;
  /** The project's language, to tell apart extensions two languages share. */
  language: string;
  dark: boolean;
  onChange: (path: string, content: string) => void;
}

/**
 * CodeMirror 6 on one file at a time. Each file keeps its own editor state (undo history, selection) while the
 * component lives; a file whose text changed from outside (upload, reset) starts afresh.
 */
export function CodeEditor({ path, content, language, dark, onChange }: CodeEditorProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const statesRef = useRef(new Map<string, EditorState>());
  const shownRef = useRef(path);
  // The latest props for CodeMirror's callbacks, which outlive a render; updated before any effect runs.
  const latest = useRef({ onChange, dark, language, content });
  useLayoutEffect(() => {
    latest.current = { onChange, dark, language, content };
  });
  const compartments = useRef({ language: new Compartment(), theme: new Compartment() });

  const makeState = (forPath: string, text: string): EditorState => {
    const { language: languageSlot, theme } = compartments.current;
    const extensions: Extension[] = [
      basicSetup,
      keymap.of([indentWithTab]),
      languageSlot.of([]),
      theme.of(editorTheme(latest.current.dark)),
      EditorView.contentAttributes.of({
        'aria-label': `Code editor: ${forPath}`,
        'aria-describedby': EDITOR_KEYS_HELP_ID,
      }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged && shownRef.current === forPath) {
          latest.current.onChange(forPath, update.state.doc.toString());
        }
      }),
    ];
    return EditorState.create({ doc: text, extensions });
  };

  const loadLanguage = (view: EditorView, forPath: string) => {
    const found = editorLanguageFor(forPath, latest.current.language);
    if (!found) return;
    found.load().then(
      (extension) => {
        if (viewRef.current === view && shownRef.current === forPath) {
          view.dispatch({ effects: compartments.current.language.reconfigure(extension) });
        }
      },
      () => {}, // highlighting is a nicety: a chunk that fails to load leaves plain text
    );
  };

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const view = new EditorView({ parent: host, state: makeState(shownRef.current, latest.current.content) });
    viewRef.current = view;
    loadLanguage(view, shownRef.current);
    return () => {
      view.destroy();
      viewRef.current = null;
    };
    // The view is created once; later props are applied by the effects below.
  }, []);

  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    if (shownRef.current !== path) {
      statesRef.current.set(shownRef.current, view.state);
      const cached = statesRef.current.get(path);
      shownRef.current = path;
      view.setState(cached && cached.doc.toString() === content ? cached : makeState(path, content));
      view.dispatch({ effects: compartments.current.theme.reconfigure(editorTheme(latest.current.dark)) });
      loadLanguage(view, path);
    } else if (view.state.doc.toString() !== content) {
      view.setState(makeState(path, content));
      loadLanguage(view, path);
    }
  }, [path, content]);

  useEffect(() => {
    viewRef.current?.dispatch({ effects: compartments.current.theme.reconfigure(editorTheme(dark)) });
  }, [dark]);

  return <div ref={hostRef} className="code-editor" />;
}
