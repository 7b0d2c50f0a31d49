import { useEffect, useRef } from 'react';

/** Ctrl+Enter (Cmd+Enter on a Mac) runs from anywhere on the page, the editor included. */
export function useRunShortcut(onRun: () => void): void {
  const latest = useRef(onRun);
  useEffect(() => {
    latest.current = onRun;
  }, [onRun]);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey && !event.repeat) {
        // Capture phase: CodeMirror would otherwise take Mod-Enter as "insert blank line".
        event.preventDefault();
        event.stopPropagation();
        latest.current();
      }
    };
    window.addEventListener('keydown', onKeyDown, { capture: true });
    return () => window.removeEventListener('keydown', onKeyDown, { capture: true });
  }, []);
}
