import { oneDark } from '@codemirror/theme-one-dark';
import type { Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';

// Both themes fill the pane and take the page's font; the light one keeps CodeMirror's default highlighting.
const base = EditorView.theme({
  '&': { height: '100%', fontSize: '14px' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.5' },
  // Inset, so the pane's edges do not clip the keyboard-focus ring.
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '-2px' },
});

const light = EditorView.theme(
  {
    '&': { backgroundColor: 'var(--bg-editor)', color: 'var(--fg)' },
    '.cm-gutters': {
      backgroundColor: 'var(--bg-panel)',
      color: 'var(--fg-muted)',
      borderRight: '1px solid var(--border)',
    },
    '.cm-activeLine': { backgroundColor: 'var(--bg-active-line)' },
    '.cm-activeLineGutter': { backgroundColor: 'var(--bg-active-line)' },
  },
  { dark: false },
);

/** The editor's look for the page theme. */
export function editorTheme(dark: boolean): Extension {
  return dark ? [base, oneDark] : [base, light];
}
