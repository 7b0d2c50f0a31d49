import type { RuntimeInfo } from '@coderunner/protocol';
import { createProject, type Project } from '../../lib/project/project';
import { COMPILED_STARTERS } from './starters-compiled';
import { JVM_STARTERS } from './starters-jvm';
import { SCRIPTED_STARTERS } from './starters-scripted';

/** A one-file starter program. */
export interface Starter {
  entry: string;
  content: string;
}

const STARTERS: Record<string, Starter> = { ...SCRIPTED_STARTERS, ...COMPILED_STARTERS, ...JVM_STARTERS };

/** The starter for a language: a hello-world that reads a name, or an empty main.<first extension>. */
export function starterFor(runtime: Pick<RuntimeInfo, 'language' | 'extensions'>): Starter {
  const known = STARTERS[runtime.language];
  if (known) return known;
  const extension = runtime.extensions[0];
  return { entry: extension ? `main.${extension}` : 'main.txt', content: '' };
}

/** A fresh project holding the language's starter program. */
export function starterProject(runtime: Pick<RuntimeInfo, 'language' | 'extensions'>): Project {
  const starter = starterFor(runtime);
  return createProject(runtime.language, [{ path: starter.entry, content: starter.content }], {
    entry: starter.entry,
  });
}

/** Languages that have a written starter (the rest get the empty fallback). */
export const STARTER_LANGUAGES: readonly string[] = Object.keys(STARTERS);
