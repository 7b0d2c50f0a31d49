import { useCallback, useEffect, useState } from 'react';

export type ThemeChoice = 'light' | 'dark';

const THEME_KEY = 'coderunner.theme';

function readChoice(): ThemeChoice | null {
  try {
    const stored = localStorage.getItem(THEME_KEY);
    return stored === 'light' || stored === 'dark' ? stored : null;
  } catch {
    return null;
  }
}

/**
 * The page theme: the system's prefers-color-scheme until the student picks one, which is then remembered.
 * Sets `data-theme` on <html>, which the CSS variables key on.
 */
export function useTheme(): { dark: boolean; toggle: () => void } {
  const query = '(prefers-color-scheme: dark)';
  const [systemDark, setSystemDark] = useState(() => window.matchMedia(query).matches);
  const [choice, setChoice] = useState<ThemeChoice | null>(readChoice);
  useEffect(() => {
    const media = window.matchMedia(query);
    const onChange = (event: MediaQueryListEvent) => setSystemDark(event.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  const dark = choice === null ? systemDark : choice === 'dark';
  useEffect(() => {
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }, [dark]);
  const toggle = useCallback(() => {
    const next: ThemeChoice = dark ? 'light' : 'dark';
    setChoice(next);
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // storage disabled: the choice lasts until reload
    }
  }, [dark]);
  return { dark, toggle };
}
