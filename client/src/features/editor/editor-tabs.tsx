import { basename } from '../../lib/project/paths';

interface EditorTabsProps {
  tabs: readonly string[];
  active: string | null;
  entry: string | null;
  onSelect: (path: string) => void;
  onClose: (path: string) => void;
}

/** The open files; the shown one is marked with aria-current, each has its own close button. */
export function EditorTabs({ tabs, active, entry, onSelect, onClose }: EditorTabsProps) {
  if (tabs.length === 0) return null;
  return (
    <nav className="editor-tabs" aria-label="Open files">
      <ul>
        {tabs.map((path) => (
          <li
            key={path}
            className={path === active ? 'editor-tabs__tab editor-tabs__tab--active' : 'editor-tabs__tab'}
          >
            <button
              type="button"
              className="editor-tabs__name"
              aria-current={path === active ? 'true' : undefined}
              title={path}
              onClick={() => onSelect(path)}
            >
              {path === entry && (
                <span className="entry-mark" aria-hidden="true">
                  ▶
                </span>
              )}
              {basename(path)}
              {path === entry && <span className="sr-only"> (runs first)</span>}
            </button>
            <button
              type="button"
              className="editor-tabs__close"
              aria-label={`Close ${path}`}
              title={`Close ${path}`}
              onClick={() => onClose(path)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
