/** Longest path segment (a file or folder name) a project may use. */
export const MAX_NAME_SEGMENT = 255;
/** Longest whole path a project may use. */
export const MAX_PATH_LENGTH = 1024;

/**
 * Why a project file path is unsafe or unusable, or null when it is fine. The server refuses such a request
 * (400) and the editor refuses to create such a file, with the same words.
 *
 * No segment may begin with `-`: names reach compiler and interpreter command lines, and a name that could be
 * read as an option must never get there. Nor with `@`: gcc, javac, rustc, ghc, mcs, kotlinc, scalac and
 * groovyc read an argument `@file` as a file of further options (a file named `@x.c` next to an `x.c` holding
 * `-wrapper ...` would run a command during compilation).
 *
 * @example
 *   fileNameProblem('lib/util.py');      // null
 *   fileNameProblem('../etc/passwd');    // 'contains a ".." segment'
 */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (name.includes('\0')) return 'contains a NUL byte';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character';
  if (name.includes('\\')) return 'contains a backslash; separate folders with /';
  if (name.startsWith('/')) return 'is absolute; names are relative to the project root';
  for (const part of name.split('/')) {
    if (part === '') return 'has an empty path segment';
    if (part === '.' || part === '..') return `contains a "${part}" segment`;
    if (part.length > MAX_NAME_SEGMENT) return `has a segment longer than ${MAX_NAME_SEGMENT} characters`;
    if (part.startsWith('-')) return `has a segment beginning with "-" ("${part.slice(0, 40)}")`;
    if (part.startsWith('@')) return `has a segment beginning with "@" ("${part.slice(0, 40)}")`;
  }
  return null;
}
