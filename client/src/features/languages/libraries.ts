import type { RuntimeInfo } from '@coderunner/protocol';

/** The libraries a language's programs can use, e.g. "numpy 2.2.4 · pandas 2.2.3", or null when it has none. */
export function describeLibraries(runtime: Pick<RuntimeInfo, 'libraries'> | undefined): string | null {
  const libraries = runtime?.libraries ?? [];
  if (libraries.length === 0) return null;
  return libraries.map((l) => (l.version === '' ? l.name : `${l.name} ${l.version}`)).join(' · ');
}
