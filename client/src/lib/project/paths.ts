// Project paths are relative and "/"-separated; the rules every name must follow are the protocol's
// (`fileNameProblem`, the server applies the same). These helpers split and join paths.

/**
 * Tidies a path from a zip archive: turns "\\" into "/", collapses repeated slashes and drops a leading "./" or
 * "/" and a trailing "/" (zip tools differ in these). The result still has to pass fileNameProblem.
 */
export function normalizePath(input: string): string {
  return input
    .trim()
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
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
