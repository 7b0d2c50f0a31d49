// Syntax highlighting by file extension: the official @codemirror/lang-* packages where they exist, legacy modes
// through StreamLanguage for the rest, plain text otherwise. Each loads on demand, so the first page stays small.
import { StreamLanguage, type StreamParser } from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import { extensionOf } from '../../lib/project/paths';

export interface EditorLanguage {
  /** Shown to the student (and used by tests). */
  name: string;
  load: () => Promise<Extension>;
}

const legacy =
  <T>(load: () => Promise<StreamParser<T>>) =>
  async (): Promise<Extension> =>
    StreamLanguage.define(await load());

const python: EditorLanguage = {
  name: 'Python',
  load: async () => (await import('@codemirror/lang-python')).python(),
};
const javascript: EditorLanguage = {
  name: 'JavaScript',
  load: async () => (await import('@codemirror/lang-javascript')).javascript({ jsx: true }),
};
const typescript: EditorLanguage = {
  name: 'TypeScript',
  load: async () => (await import('@codemirror/lang-javascript')).javascript({ typescript: true, jsx: true }),
};
const cpp: EditorLanguage = { name: 'C/C++', load: async () => (await import('@codemirror/lang-cpp')).cpp() };
const java: EditorLanguage = {
  name: 'Java',
  load: async () => (await import('@codemirror/lang-java')).java(),
};
const rust: EditorLanguage = {
  name: 'Rust',
  load: async () => (await import('@codemirror/lang-rust')).rust(),
};
const go: EditorLanguage = { name: 'Go', load: async () => (await import('@codemirror/lang-go')).go() };
const php: EditorLanguage = { name: 'PHP', load: async () => (await import('@codemirror/lang-php')).php() };
const sql: EditorLanguage = {
  name: 'SQL',
  load: async () => {
    const { sql: language, SQLite } = await import('@codemirror/lang-sql');
    return language({ dialect: SQLite });
  },
};

const ruby = {
  name: 'Ruby',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/ruby')).ruby),
};
const shell = {
  name: 'Shell',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/shell')).shell),
};
const lua = {
  name: 'Lua',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/lua')).lua),
};
const perl = {
  name: 'Perl',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/perl')).perl),
};
const r = { name: 'R', load: legacy(async () => (await import('@codemirror/legacy-modes/mode/r')).r) };
const haskell = {
  name: 'Haskell',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/haskell')).haskell),
};
const csharp = {
  name: 'C#',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/clike')).csharp),
};
const kotlin = {
  name: 'Kotlin',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/clike')).kotlin),
};
const scala = {
  name: 'Scala',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/clike')).scala),
};
const d = { name: 'D', load: legacy(async () => (await import('@codemirror/legacy-modes/mode/d')).d) };
const ocaml = {
  name: 'OCaml',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/mllike')).oCaml),
};
const fsharp = {
  name: 'F#',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/mllike')).fSharp),
};
const erlang = {
  name: 'Erlang',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/erlang')).erlang),
};
const fortran = {
  name: 'Fortran',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/fortran')).fortran),
};
const pascal = {
  name: 'Pascal',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/pascal')).pascal),
};
const octave = {
  name: 'Octave',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/octave')).octave),
};
const scheme = {
  name: 'Scheme',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/scheme')).scheme),
};
const commonLisp = {
  name: 'Common Lisp',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/commonlisp')).commonLisp),
};
const crystal = {
  name: 'Crystal',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/crystal')).crystal),
};
const tcl = {
  name: 'Tcl',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/tcl')).tcl),
};
const swift = {
  name: 'Swift',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/swift')).swift),
};
const julia = {
  name: 'Julia',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/julia')).julia),
};
const gas = {
  name: 'Assembly',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/gas')).gas),
};
const groovy = {
  name: 'Groovy',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/groovy')).groovy),
};
const clojure = {
  name: 'Clojure',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/clojure')).clojure),
};
const forth = {
  name: 'Forth',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/forth')).forth),
};
const yaml = {
  name: 'YAML',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/yaml')).yaml),
};
const toml = {
  name: 'TOML',
  load: legacy(async () => (await import('@codemirror/legacy-modes/mode/toml')).toml),
};

const BY_EXTENSION: Record<string, EditorLanguage> = {
  py: python,
  pyw: python,
  js: javascript,
  mjs: javascript,
  cjs: javascript,
  jsx: javascript,
  ts: typescript,
  mts: typescript,
  cts: typescript,
  tsx: typescript,
  c: cpp,
  h: cpp,
  cpp,
  cc: cpp,
  cxx: cpp,
  hpp: cpp,
  hh: cpp,
  hxx: cpp,
  java,
  rs: rust,
  go,
  php,
  sql,
  rb: ruby,
  sh: shell,
  bash: shell,
  lua,
  pl: perl,
  pm: perl,
  r,
  hs: haskell,
  cs: csharp,
  kt: kotlin,
  kts: kotlin,
  scala,
  groovy,
  clj: clojure,
  cljc: clojure,
  fth: forth,
  '4th': forth,
  forth,
  d,
  di: d,
  ml: ocaml,
  mli: ocaml,
  fs: fsharp,
  fsx: fsharp,
  erl: erlang,
  hrl: erlang,
  f: fortran,
  for: fortran,
  f90: fortran,
  f95: fortran,
  f03: fortran,
  f08: fortran,
  pas: pascal,
  pp: pascal,
  lpr: pascal,
  dpr: pascal,
  m: octave,
  scm: scheme,
  ss: scheme,
  rkt: scheme,
  lisp: commonLisp,
  cl: commonLisp,
  lsp: commonLisp,
  cr: crystal,
  tcl,
  swift,
  jl: julia,
  asm: gas,
  s: gas,
  yml: yaml,
  yaml,
  toml,
};

// Extensions that mean something else in a project of this language (a Prolog .pl is not Perl).
const NOT_IN: Record<string, readonly string[]> = { prolog: ['pl'] };

/** The highlighting for a file, chosen by its extension; null means plain text. */
export function editorLanguageFor(path: string, projectLanguage = ''): EditorLanguage | null {
  const extension = extensionOf(path);
  if (NOT_IN[projectLanguage]?.includes(extension)) return null;
  return BY_EXTENSION[extension] ?? null;
}
