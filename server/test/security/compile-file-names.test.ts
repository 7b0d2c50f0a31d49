// File names as compiler options: a project whose folder or file name reads as an option (`-wrapper
// sh,-c,...` runs a command during compilation with the compile stage's larger limits; `@file` makes gcc, javac,
// rustc, ghc and others read more options from a file). What must hold, for every runtime with a compile stage:
//   - a name with a segment beginning with `-` or `@` is refused with 400 CR_ERR_RUN_BAD_FILE_NAME before any
//     container is used;
//   - a name that only contains spaces and option-like words (` -wrapper sh,-c,touch>pwned x`) is one argument:
//     the runtime's own multi-file conformance program, moved into such a folder, still compiles and prints its
//     output (had the template split the name, the compiler would get `-wrapper` or a stray file and fail).
// Go is the exception that proves the rule: Go refuses spaces in package paths itself, so its project sits at
// the root and the option-like name is a file's.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/create-server.js';
import { containersOf } from '../helpers.js';
import { attack, expectStatus, send, server, useSecurityServer } from './harness.js';

const runtimesDir = join(REPO_ROOT, 'runtimes');
const only = (process.env.LANGUAGES ?? '').split(',').filter(Boolean);
const compiled = readdirSync(runtimesDir)
  .filter((l) => statSync(join(runtimesDir, l)).isDirectory())
  .filter(
    (l) =>
      (JSON.parse(readFileSync(join(runtimesDir, l, 'runtime.json'), 'utf8')) as { compile?: unknown })
        .compile,
  )
  .filter((l) => only.length === 0 || only.includes(l))
  .sort();

useSecurityServer({ LANGUAGES: ['python', ...compiled].join(','), POOL_SIZE: '1' });

interface Project {
  files: Array<{ name: string; content: string; toBeExec?: boolean }>;
  stdout: string;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** The runtime's multi-file conformance program, every name passed through `rename`. */
function multiFile(language: string, rename: (name: string) => string): Project {
  const dir = join(runtimesDir, language, 'tests', 'multi-file');
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
    entry: string;
    stdout: string;
  };
  const files = listFiles(dir)
    .map((f) => relative(dir, f))
    .filter((name) => name !== 'expected.json')
    .map((name) => ({
      name: rename(name),
      content: readFileSync(join(dir, name), 'utf8'),
      toBeExec: name === expected.entry,
    }));
  return { files, stdout: expected.stdout };
}

const OPTION_LIKE = ' -wrapper sh,-c,touch>pwned x';

/** Go's packages may not have spaces in their paths: there the option-like name is a root file's. */
function harmlessRename(language: string): (name: string) => string {
  if (language === 'go') return (name) => (name.includes('/') ? name : `x ${OPTION_LIKE.trim()} ${name}`);
  return (name) => `${OPTION_LIKE}/${name}`;
}

async function containerIds(): Promise<string[]> {
  return (await containersOf(server().driver.instanceId)).map((c) => c.Id).sort();
}

describe.each(compiled)('%s', (language) => {
  it.each([
    [
      'a folder beginning with "-"',
      (name: string) => (name.includes('/') ? `-wrapper sh,-c,touch pwned/${name}` : name),
    ],
    ['a file beginning with "-"', (name: string) => name.replace(/([^/]+)$/, '-o$1')],
    ['a file beginning with "@" (a response file)', (name: string) => name.replace(/([^/]+)$/, '@$1')],
  ])('refuses %s with a 400 before any container is used', async (_label, rename) => {
    const project = multiFile(language, rename);
    // The previous test's container is still being replaced: start from a full pool.
    await server().pools.whenFull(60000);
    const before = await containerIds();
    const outcome = await send({ language, files: project.files });
    expect(outcome.statusCode, JSON.stringify(outcome.body)).toBe(400);
    expect(outcome.body.code).toBe('CR_ERR_RUN_BAD_FILE_NAME');
    expect(String(outcome.body.message)).toMatch(/segment beginning with "[-@]"/);
    // A used container would be replaced by a new one: give a refill time to start, then expect no new id (the
    // previous test's container may still be on its way out, so the list may only shrink).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await containerIds();
    expect(after.filter((id) => !before.includes(id))).toEqual([]);
  });

  it(`compiles a project whose names hold spaces and option-like words, as single arguments`, async () => {
    const project = multiFile(language, harmlessRename(language));
    await attack({ language, files: project.files }, (outcome) => {
      const run = expectStatus(outcome, 'ok');
      expect(run.stdout).toBe(project.stdout);
    });
  });
});
