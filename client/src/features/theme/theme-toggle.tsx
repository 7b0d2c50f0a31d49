/** Switches between the light and dark theme; pressed means dark. */
export function ThemeToggle({ dark, onToggle }: { dark: boolean; onToggle: () => void }) {
  return (
    <button
      type="button"
      className="button theme-toggle"
      aria-pressed={dark}
      title={dark ? 'Switch to the light theme' : 'Switch to the dark theme'}
      onClick={onToggle}
    >
      <span aria-hidden="true">{dark ? '☾ ' : '☀ '}</span>
      Dark theme
    </button>
  );
}
