// Projects travel as plain zip files: one entry per file (folders implied by paths, empty ones as "dir/" entries).
// Text files are UTF-8; anything that is not valid UTF-8 is kept as base64 and sent to the server unchanged.
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { normalizePath } from '../../lib/project/paths';
import { createProject, nameProblem, type Project, type ProjectFile } from '../../lib/project/project';

/** Largest upload accepted, uncompressed (the server takes 5 MiB request bodies by default). */
export const MAX_UNZIPPED_BYTES = 5 * 1024 * 1024;

const IGNORED = /(^|\/)(__MACOSX|\.DS_Store|Thumbs\.db)(\/|$)/;

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function base64ToBytes(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** Packs the project's files and empty folders into a zip. */
export function zipProject(project: Project): Uint8Array {
  const entries: Zippable = {};
  for (const file of project.files) {
    entries[file.path] = file.encoding === 'base64' ? base64ToBytes(file.content) : strToU8(file.content);
  }
  for (const folder of project.folders) {
    if (!project.files.some((f) => f.path.startsWith(`${folder}/`)))
      entries[`${folder}/`] = new Uint8Array(0);
  }
  return zipSync(entries, { level: 6 });
}

/** A zip whose every entry sits in one top folder (as GitHub's downloads do) is read from inside that folder. */
function commonTopFolder(paths: readonly string[]): string | null {
  const first = paths[0]?.split('/')[0];
  if (first === undefined || paths.some((p) => !p.includes('/'))) return null;
  return paths.every((p) => p.split('/')[0] === first) ? first : null;
}

/** Reads a zip into a new project of `language`; says what is wrong when it cannot. */
export function unzipProject(
  bytes: Uint8Array,
  language: string,
  extensions: readonly string[],
): { project: Project } | { problem: string } {
  let raw: Record<string, Uint8Array>;
  let total = 0;
  try {
    raw = unzipSync(bytes, {
      filter: (info) => {
        total += info.originalSize;
        if (total > MAX_UNZIPPED_BYTES) throw new Error('too large');
        return !IGNORED.test(info.name);
      },
    });
  } catch (err) {
    return {
      problem:
        (err as Error).message === 'too large'
          ? `the zip holds more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MiB`
          : 'this is not a readable zip file',
    };
  }
  const names = Object.keys(raw).map((name) => name.replace(/\\/g, '/'));
  const top = commonTopFolder(names.filter((n) => normalizePath(n) !== ''));
  const strip = (name: string) => normalizePath(top === null ? name : name.slice(top.length + 1));
  const files: ProjectFile[] = [];
  const folders = new Set<string>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const [name, data] of Object.entries(raw)) {
    const path = strip(name.replace(/\\/g, '/'));
    if (path === '') continue;
    const problem = nameProblem(path);
    if (problem) return { problem };
    if (files.some((f) => f.path === path)) return { problem: `${path} appears twice in the zip` };
    if (name.endsWith('/')) {
      folders.add(path);
      continue;
    }
    try {
      files.push({ path, content: decoder.decode(data) });
    } catch {
      files.push({ path, content: bytesToBase64(data), encoding: 'base64' });
    }
  }
  if (files.length === 0) return { problem: 'the zip holds no files' };
  files.sort((a, b) => a.path.localeCompare(b.path));
  const emptyFolders = [...folders].filter((f) => !files.some((x) => x.path.startsWith(`${f}/`)));
  return { project: createProject(language, files, { extensions, folders: emptyFolders }) };
}
