// Project paths are relative, "/"-separated, and obey the server's rules (docs/api.md): no "..", no empty or "."
// segments, no duplicates. These helpers keep the editor from creating a name the server would refuse.

const MAX_PATH_LENGTH = 255;

/** Trims spaces, turns "\" into "/", collapses repeated slashes and drops leading "./" or "/". */
export function normalizePath(input: string): string {
  return input
    .trim()
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
}

/** Says what is wrong with a normalized path, or null when it is acceptable. */
export function pathProblem(path: string): string | null {
  if (path === '') return 'the name is empty';
  if (path.length > MAX_PATH_LENGTH) return `the name is longer than ${MAX_PATH_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'the name contains a control character';
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..')
      return 'folders named "", "." or ".." are not allowed';
    if (segment.trim() !== segment) return 'a name may not start or end with a space';
  }
  return null;
}

/** The folder part of a path ("" at the top level). */
export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** The last segment of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The extension without the dot, lower-cased ("" when there is none). */
export function extensionOf(path: string): string {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** Joins a folder ("" for the top) and a relative name. */
export function joinPath(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** True when `path` is `folder` itself or lies anywhere below it. */
export function isWithin(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

/** Every ancestor folder of a path, outermost first ("a/b/c.py" gives ["a", "a/b"]). */
export function ancestorsOf(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}
