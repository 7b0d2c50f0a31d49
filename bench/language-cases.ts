// The per-language phase's inputs, read from the repo rather than copied into the bench: each runtime's
// runtime.json and its hello conformance program (runtimes/<language>/tests/hello/, whose expected.json names
// the entry file and the exact stdout).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../server/src/create-server.js';
import { expandCommand } from '../server/src/runs/command-template.js';
import { loadRuntimeManifests, type RuntimeManifest } from '../server/src/runtimes/runtime-manifest.js';

/** The languages the issue asks for, in the order the table lists them. */
export const TABLE_LANGUAGES = [
  'python',
  'javascript',
  'ruby',
  'php',
  'java',
  'c',
  'cpp',
  'go',
  'rust',
  'typescript',
] as const;

export interface HelloCase {
  language: string;
  manifest: RuntimeManifest;
  files: Array<{ name: string; content: string }>;
  entry: string;
  stdout: string;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? listFiles(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]),
    ),
  );
  return nested.flat();
}

async function readCase(manifest: RuntimeManifest): Promise<HelloCase> {
  const dir = join(REPO_ROOT, 'runtimes', manifest.language, 'tests', 'hello');
  const expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as {
    entry?: string;
    status?: string;
    stdout?: string;
  };
  if (!expected.entry || expected.status !== 'ok' || expected.stdout === undefined)
    throw new Error(`${dir}/expected.json: want an entry, status ok and an exact stdout`);
  const names = (await listFiles(dir)).map((f) => relative(dir, f)).filter((n) => n !== 'expected.json');
  const files = await Promise.all(
    names.sort().map(async (name) => ({ name, content: await readFile(join(dir, name), 'utf8') })),
  );
  return { language: manifest.language, manifest, files, entry: expected.entry, stdout: expected.stdout };
}

/** The hello case of every language in `languages`, in that order. */
export async function loadHelloCases(languages: readonly string[]): Promise<HelloCase[]> {
  const manifests = await loadRuntimeManifests(join(REPO_ROOT, 'runtimes'));
  return Promise.all(
    languages.map((language) => {
      const manifest = manifests.find((m) => m.language === language);
      if (!manifest) throw new Error(`no runtimes/${language}/runtime.json`);
      return readCase(manifest);
    }),
  );
}

/**
 * The argv of the case's compile stage (null when the language has none) and of its run stage, expanded as the
 * server expands them for a request with these files and no args or extra options (server/src/runs/run-plan.ts).
 */
export function stageCommands(c: HelloCase): { compile: string[] | null; run: string[] } {
  const context = {
    entry: c.entry,
    files: c.files.map((f) => f.name),
    args: [],
    compileArgs: [],
    linkArgs: [],
    interpreterArgs: [],
  };
  return {
    compile: c.manifest.compile ? expandCommand(c.manifest.compile, context) : null,
    run: expandCommand(c.manifest.run, context),
  };
}
