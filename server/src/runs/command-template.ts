/**
 * Expands a runtime command template into an argument vector. Every placeholder becomes whole arguments or part
 * of one argument: never text that a shell splits, so a file name can contain spaces and still be one argument
 * (and file names never begin with `-` or `@`, see protocol/src/file-names.ts, so none is read as an option).
 *
 * - `{files}`, `{files:.ext}`: several arguments, the project's files (with that extension).
 * - `PREFIX{dirs:.ext1,.ext2}`: one argument per distinct folder holding a file with one of these extensions
 *   (`.` for the project root, else `./folder`), sorted, each with the literal PREFIX before it: `-I{dirs:.h}`
 *   gives `-I.`, `-I./include`, `-I./my headers`. What `$(find . -name '*.h' -printf '-I%h')` did, without a shell to split it.
 * - `{args}`: several arguments, the request's args.
 * - `{compileArgs}`, `{linkArgs}`, `{interpreterArgs}`: several arguments, the request's extra compiler, linker and
 *   interpreter options (none when it has none). A runtime takes them only where its command has the placeholder.
 * - `{entry}` (lib/main.py), `{entryStem}` (lib/main), `{entryClass}` (lib.main), `{entryDir}` (lib, or . at the
 *   root) and `{entryBase}` (main.py): replaced anywhere inside an argument.
 *
 * @example
 *   expandCommand(['gcc', '-I{dirs:.h}', '{files:.c}'], { entry: 'a b/m.c', files: ['a b/m.c', 'a b/m.h'], args: [] });
 *   // ['gcc', '-I./a b', 'a b/m.c']
 */
export function expandCommand(
  template: readonly string[],
  context: {
    entry: string;
    files: readonly string[];
    args: readonly string[];
    compileArgs?: readonly string[];
    linkArgs?: readonly string[];
    interpreterArgs?: readonly string[];
  },
): string[] {
  const stem = context.entry.replace(/\.[^./]*$/, '');
  const slash = context.entry.lastIndexOf('/');
  const entryDir = slash === -1 ? '.' : context.entry.slice(0, slash);
  const entryBase = slash === -1 ? context.entry : context.entry.slice(slash + 1);
  const out: string[] = [];
  for (const arg of template) {
    if (arg === '{args}') {
      out.push(...context.args);
      continue;
    }
    const extra = EXTRA_PLACEHOLDERS[arg];
    if (extra) {
      out.push(...(context[extra] ?? []));
      continue;
    }
    if (arg === '{files}') {
      out.push(...context.files);
      continue;
    }
    const filtered = /^\{files:(\.[A-Za-z0-9+]+)\}$/.exec(arg);
    if (filtered) {
      out.push(...context.files.filter((f) => f.endsWith(filtered[1]!)));
      continue;
    }
    const dirs = DIRS_PLACEHOLDER.exec(arg);
    if (dirs) {
      const prefix = dirs[1]!;
      out.push(...foldersOf(context.files, dirs[2]!.split(',')).map((d) => prefix + d));
      continue;
    }
    out.push(
      arg
        .replaceAll('{entryStem}', stem)
        .replaceAll('{entryClass}', stem.replaceAll('/', '.'))
        .replaceAll('{entryDir}', entryDir)
        .replaceAll('{entryBase}', entryBase)
        .replaceAll('{entry}', context.entry),
    );
  }
  return out;
}

const EXTRA_PLACEHOLDERS: Readonly<Record<string, 'compileArgs' | 'linkArgs' | 'interpreterArgs'>> = {
  '{compileArgs}': 'compileArgs',
  '{linkArgs}': 'linkArgs',
  '{interpreterArgs}': 'interpreterArgs',
};

/** `PREFIX{dirs:.a,.b}`: a literal prefix without braces, then one or more extensions. */
const DIRS_PLACEHOLDER = /^([^{}]*)\{dirs:(\.[A-Za-z0-9+]+(?:,\.[A-Za-z0-9+]+)*)\}$/;

/** The distinct folders (`.` for the root, else `./folder`) of the files ending in one of `extensions`, sorted. */
function foldersOf(files: readonly string[], extensions: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    if (!extensions.some((ext) => file.endsWith(ext))) continue;
    const slash = file.lastIndexOf('/');
    // `./`: some tools (nasm, fpc, ghc) drop leading spaces from an option's value; a folder may begin with one.
    folders.add(slash === -1 ? '.' : `./${file.slice(0, slash)}`);
  }
  return [...folders].sort();
}
