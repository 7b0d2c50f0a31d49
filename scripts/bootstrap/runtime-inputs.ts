// Pure parts of step 4, kept apart from Docker so they can be unit-tested: which languages to build and the
// content hash that decides whether an image is stale.
import { createHash } from 'node:crypto';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { BootstrapError } from './util.js';

/** Folders inside a runtime that are not part of its image (conformance programs are run against it, not in it). */
export const EXCLUDED_DIRS = new Set(['tests', 'prestart-cases']);

/** Resolves LANGUAGES (comma list; empty or unset = all) against the known languages, rejecting unknown names. */
export function selectLanguages(requested: string | undefined, known: readonly string[]): string[] {
  const names = (requested ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) return [...known];
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new BootstrapError(
      `LANGUAGES names unknown language${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      `known languages (folders under runtimes/): ${known.join(', ')}`,
    );
  }
  return [...new Set(names)];
}

/** Lists a runtime folder's files as sorted POSIX paths relative to it, leaving out EXCLUDED_DIRS at its top. */
export async function listRuntimeFiles(runtimeDir: string): Promise<string[]> {
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (dir === runtimeDir && EXCLUDED_DIRS.has(entry.name)) continue;
        await walk(full);
      } else {
        files.push(relative(runtimeDir, full).split(sep).join('/'));
      }
    }
  }
  await walk(runtimeDir);
  // Plain code-unit order, not localeCompare: the hash must not depend on the machine's locale.
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** sha256 over everything an image is built from: the runtime's files, the agent binary and the base image id. */
export async function computeRuntimeHash(
  runtimeDir: string,
  agentPath: string,
  baseImageId: string,
): Promise<string> {
  const hash = createHash('sha256');
  // Every field is length-prefixed so that no two different inputs can produce the same byte stream.
  const add = (label: string, data: Buffer | string): void => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    hash.update(`${label}:${bytes.length}:`).update(bytes);
  };
  for (const file of await listRuntimeFiles(runtimeDir)) {
    const full = join(runtimeDir, file);
    const info = await stat(full).catch(() => null);
    add('path', file);
    if (info === null) add('link', await readlink(full));
    else {
      // The executable bit survives COPY into the image, so it is part of the content.
      add('mode', info.mode & 0o111 ? 'x' : '-');
      add('file', await readFile(full));
    }
  }
  add('agent', await readFile(agentPath));
  add('base', baseImageId);
  return hash.digest('hex');
}
