import { acceptsExtraArgs } from '../../runtimes/runtime-manifest.js';
import type { Runtime, RuntimeRegistry } from '../../runtimes/runtime-registry.js';

/**
 * Judge0 CE's ids for the languages CodeRunner has, with Judge0's source file name for each
 * (judge0/judge0 db/languages/active.rb). Languages Judge0 CE does not number (ada, awk, crystal, forth,
 * racket, scheme, tcl) are not offered here: inventing ids would collide with Judge0 Extra CE's.
 */
export const JUDGE0_LANGUAGE_IDS: ReadonlyArray<{ id: number; language: string; sourceFile: string }> = [
  { id: 45, language: 'nasm', sourceFile: 'main.asm' },
  { id: 46, language: 'bash', sourceFile: 'script.sh' },
  { id: 50, language: 'c', sourceFile: 'main.c' },
  { id: 51, language: 'csharp', sourceFile: 'Main.cs' },
  { id: 54, language: 'cpp', sourceFile: 'main.cpp' },
  { id: 55, language: 'commonlisp', sourceFile: 'script.lisp' },
  { id: 56, language: 'd', sourceFile: 'main.d' },
  { id: 57, language: 'elixir', sourceFile: 'script.exs' },
  { id: 58, language: 'erlang', sourceFile: 'main.erl' },
  { id: 59, language: 'fortran', sourceFile: 'main.f90' },
  { id: 60, language: 'go', sourceFile: 'main.go' },
  { id: 61, language: 'haskell', sourceFile: 'main.hs' },
  { id: 62, language: 'java', sourceFile: 'Main.java' },
  { id: 63, language: 'javascript', sourceFile: 'script.js' },
  { id: 64, language: 'lua', sourceFile: 'script.lua' },
  { id: 65, language: 'ocaml', sourceFile: 'main.ml' },
  { id: 66, language: 'octave', sourceFile: 'script.m' },
  { id: 67, language: 'pascal', sourceFile: 'main.pas' },
  { id: 68, language: 'php', sourceFile: 'script.php' },
  { id: 69, language: 'prolog', sourceFile: 'main.pro' },
  { id: 71, language: 'python', sourceFile: 'script.py' },
  { id: 72, language: 'ruby', sourceFile: 'script.rb' },
  { id: 73, language: 'rust', sourceFile: 'main.rs' },
  { id: 74, language: 'typescript', sourceFile: 'script.ts' },
  { id: 77, language: 'cobol', sourceFile: 'main.cob' },
  { id: 78, language: 'kotlin', sourceFile: 'Main.kt' },
  { id: 80, language: 'r', sourceFile: 'script.r' },
  { id: 81, language: 'scala', sourceFile: 'Main.scala' },
  { id: 82, language: 'sqlite', sourceFile: 'script.sql' },
  { id: 85, language: 'perl', sourceFile: 'script.pl' },
  { id: 86, language: 'clojure', sourceFile: 'main.clj' },
  { id: 88, language: 'groovy', sourceFile: 'script.groovy' },
];

/** Judge0's "Multi-file program": no source, an additional_files zip with compile/run scripts. */
export const MULTI_FILE_ID = 89;
/** The runtime that runs multi-file programs' scripts (Judge0 runs them with /bin/bash). */
export const MULTI_FILE_RUNTIME = 'bash';

/** One Judge0 language as this server offers it. */
export interface Judge0Language {
  id: number;
  name: string;
  isProject: boolean;
  sourceFile: string | null;
  compiled: boolean;
  /**
   * compiler_options can reach the compiler: its compile command has a place for them (`{compileArgs}`), as
   * Judge0's has `%s`. Otherwise the language counts as one without compile_cmd for compiler_options.
   */
  compilerOptions: boolean;
  runtime: Runtime;
}

/** "C (GCC)" + "12.2.0" -> "C (GCC 12.2.0)", "Python" + "3.11.2" -> "Python (3.11.2)", as Judge0 names them. */
function judge0Name(runtime: Runtime): string {
  const match = /^(.*)\(([^)]*)\)\s*$/.exec(runtime.displayName);
  return match
    ? `${match[1]!.trim()} (${match[2]!.trim()} ${runtime.version})`
    : `${runtime.displayName} (${runtime.version})`;
}

/** The Judge0 languages whose runtimes this server has, by id. */
export function judge0Languages(registry: Pick<RuntimeRegistry, 'resolve'>): Map<number, Judge0Language> {
  const languages = new Map<number, Judge0Language>();
  for (const entry of JUDGE0_LANGUAGE_IDS) {
    const runtime = registry.resolve(entry.language);
    if (!runtime || runtime.language !== entry.language) continue;
    // Judge0's file name when our runtime accepts its extension (script.r needs "r"), else main.<ext>.
    const ext = entry.sourceFile.split('.').pop()!;
    const sourceFile = runtime.extensions.includes(ext)
      ? entry.sourceFile
      : `main.${runtime.extensions[0] ?? ext}`;
    languages.set(entry.id, {
      id: entry.id,
      name: judge0Name(runtime),
      isProject: false,
      sourceFile,
      compiled: runtime.manifest.compile !== null,
      compilerOptions: acceptsExtraArgs(runtime, 'compileArgs'),
      runtime,
    });
  }
  const bash = registry.resolve(MULTI_FILE_RUNTIME);
  if (bash) {
    languages.set(MULTI_FILE_ID, {
      id: MULTI_FILE_ID,
      name: 'Multi-file program',
      isProject: true,
      sourceFile: null,
      compiled: false,
      compilerOptions: false,
      runtime: bash,
    });
  }
  return languages;
}
