// Proves that the import boundaries in eslint.config.js fire: the repository's real config is run through
// ESLint's Node API on small snippets placed (in memory only) at paths inside client/ and server/.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: `${ROOT}eslint.config.js`,
  // The snippets are not on disk, so no tsconfig knows them: parse without type information and run only the
  // rule under test.
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});

/** The no-restricted-imports messages for `code` as if it were the file at `path` (relative to the repo). */
async function refusals(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${path}` });
  const messages = result?.messages ?? [];
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${path}: ${fatal.message}`);
  return messages.map((m) => m.message);
}

describe('the import boundaries', () => {
  it.each([
    ['client/src/features/run/x.ts', "import { buildTree } from '../file-tree/tree-nodes';"],
    ['client/src/features/run/x.ts', "export { starterFor } from '../languages/starter';"],
    ['client/src/features/run/x.ts', "import '../../features/console/console.css';"],
    ['client/src/features/run/deep/x.tsx', "import { FileTree } from '../../file-tree/file-tree';"],
    [
      'client/src/features/run/deep/x.tsx',
      "import type { TreeNode } from '../../../features/file-tree/tree-nodes';",
    ],
    ['client/src/features/editor/x.tsx', "import { App } from '../../app/app';"],
  ])('refuses in %s: %s', async (path, code) => {
    const said = await refusals(path, code);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/must not import (another feature|src\/app)/);
  });

  it.each([
    ['client/src/features/run/x.ts', "import { parseArgs } from './parse-args';"],
    ['client/src/features/run/x.ts', "import { appendChunk } from '../../lib/transcript';"],
    ['client/src/features/run/x.ts', "import type { ServerMessage } from '@coderunner/protocol';"],
    ['client/src/features/run/deep/x.ts', "import { parseArgs } from '../parse-args';"],
    ['client/src/features/run/deep/x.ts', "import { createProject } from '../../../lib/project/project';"],
    ['client/src/app/x.tsx', "import { FileTree } from '../features/file-tree/file-tree';"],
    ['client/src/lib/x.ts', "import { x } from '../features/run/y';"],
  ])('allows in %s: %s', async (path, code) => {
    expect(await refusals(path, code)).toEqual([]);
  });

  it.each([
    ['server/src/http/x.ts', "import Docker from 'dockerode';"],
    ['server/src/runs/x.ts', "import type { Container } from 'dockerode';"],
    ['server/src/runs/deep/x.ts', "import x from 'dockerode/lib/docker.js';"],
    ['server/src/http/x.ts', "import { DockerSandboxDriver } from '../sandbox/docker-sandbox-driver.js';"],
    ['server/src/runs/x.ts', "export * from '../sandbox/docker-stream.js';"],
  ])('keeps dockerode and the Docker driver out of http/ and runs/: %s: %s', async (path, code) => {
    const said = await refusals(path, code);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/sandbox interface/);
  });

  it.each([
    ['server/src/http/x.ts', "import type { SandboxDriver } from '../sandbox/sandbox.js';"],
    ['server/src/runs/x.ts', "import { SandboxPools } from '../sandbox/sandbox-pools.js';"],
    ['server/src/sandbox/x.ts', "import Docker from 'dockerode';"],
    ['server/src/main.ts', "import { DockerSandboxDriver } from './sandbox/docker-sandbox-driver.js';"],
  ])('lets the rest of the server use them: %s: %s', async (path, code) => {
    expect(await refusals(path, code)).toEqual([]);
  });
});
