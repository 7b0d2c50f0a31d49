import type { Runtime, RuntimeRegistry } from '../../runtimes/runtime-registry.js';

/**
 * Jobe's language ids for our runtimes. The first eight are Jobe's own (app/Libraries/<Id>Task.php in the
 * jobe repository); every other runtime is offered under its CodeRunner name, which is already lowercase
 * alphanumeric as Jobe's ids are. docs/compat.md (## Jobe) lists the table.
 */
export const JOBE_IDS: Readonly<Record<string, string>> = {
  c: 'c',
  cpp: 'cpp',
  java: 'java',
  python3: 'python',
  nodejs: 'javascript',
  php: 'php',
  octave: 'octave',
  pascal: 'pascal',
};

/** Jobe's default source file names (each <Id>Task::defaultFileName); others get `prog.<first extension>`. */
const DEFAULT_NAMES: Readonly<Record<string, string>> = {
  c: 'prog.c',
  cpp: 'prog.cpp',
  python3: 'prog.py',
  nodejs: 'prog.js',
  php: 'prog.php',
  octave: 'prog.m',
  pascal: 'prog.pas',
};

/** A Jobe language id with the runtime it runs on. */
export interface JobeLanguage {
  id: string;
  runtime: Runtime;
}

/** Every available runtime under its Jobe id, in `GET languages` order (Jobe's ids first). */
export function jobeLanguages(registry: Pick<RuntimeRegistry, 'list'>): JobeLanguage[] {
  const byName = new Map(registry.list().map((r) => [r.language, r]));
  const out: JobeLanguage[] = [];
  const taken = new Set(Object.values(JOBE_IDS));
  for (const [id, language] of Object.entries(JOBE_IDS)) {
    const runtime = byName.get(language);
    if (runtime) out.push({ id, runtime });
  }
  for (const runtime of registry.list()) {
    if (!taken.has(runtime.language) && /^[a-z0-9]+$/.test(runtime.language)) {
      out.push({ id: runtime.language, runtime });
    }
  }
  return out;
}

/**
 * The language for a run_spec's `language_id`. Jobe normalises the id's case (RunSpecifier.php,
 * `ucwords`) before looking it up, so `Python3` works too.
 */
export function resolveJobeLanguage(
  registry: Pick<RuntimeRegistry, 'list'>,
  languageId: string,
): JobeLanguage | undefined {
  const wanted = languageId.toLowerCase();
  return jobeLanguages(registry).find((l) => l.id === wanted);
}

/** The file name Jobe gives a program sent without `sourcefilename`. */
export function defaultFileName(language: JobeLanguage): string {
  return DEFAULT_NAMES[language.id] ?? `prog.${language.runtime.extensions[0] ?? 'txt'}`;
}

/**
 * The public class of a Java program, found as JavaTask::getMainClass does: exactly one public class with a
 * `public static void main(String` in it, else none.
 */
export function javaMainClass(source: string): string | null {
  const pattern =
    /(^|\W)public\s+class\s+(\w+)[^{]*\{[\s\S]*?(public\s+static|static\s+public)\s+void\s+main\s*\(\s*String/gm;
  const matches = [...source.matchAll(pattern)];
  return matches.length === 1 ? (matches[0]![2] ?? null) : null;
}
