/**
 * Each pre-start launcher's own harness (runtimes/<language>/prestart/harness.*), run in its image exactly as the
 * launcher's README documents it. The harness starts every case both ways, plainly and through the launcher,
 * and compares them byte for byte; it reaches what a request through the service cannot (an entry given as an
 * option, a missing file, a directory or "./dir/../main.php"; the program's environment, as LUA_INIT or PERL5LIB;
 * the launcher's exit status when the hand-over is malformed) and checks what the service-level test
 * (prestart-cases.test.ts) cannot see, such as a process left behind after the exit. The README's command is the
 * one run here, so the documentation cannot drift from what passes.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/create-server.js';
import { shellWords } from '../src/util/shell-words.js';

const runtimesDir = join(REPO_ROOT, 'runtimes');
const runtime = process.env.SANDBOX_RUNTIME ?? 'runc';
const enabled = (process.env.LANGUAGES ?? '').split(',').filter(Boolean);

/** The first `docker run ...` command (with its continued lines) of a fenced block in the README, as words. */
function documentedCommand(readme: string): string[] | null {
  const lines = readme.split('\n');
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('```')) {
      fenced = !fenced;
      continue;
    }
    if (!fenced || !lines[i]!.startsWith('docker run')) continue;
    let text = '';
    for (let j = i; j < lines.length; j++) {
      const line = lines[j]!.trimEnd();
      const continued = line.endsWith('\\');
      text += ' ' + (continued ? line.slice(0, -1) : line);
      if (!continued) break;
    }
    return shellWords(text.replaceAll('$PWD', REPO_ROOT));
  }
  return null;
}

const harnessed = readdirSync(runtimesDir)
  .filter((l) => statSync(join(runtimesDir, l)).isDirectory())
  .filter((l) => enabled.length === 0 || enabled.includes(l))
  .filter((l) => {
    try {
      return readdirSync(join(runtimesDir, l, 'prestart')).includes('README.md');
    } catch {
      return false;
    }
  })
  .sort();

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile('docker', args, { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe('the README command of every pre-start launcher', () => {
  it('is found for each launcher that has a README', () => {
    for (const language of harnessed) {
      const readme = readFileSync(join(runtimesDir, language, 'prestart', 'README.md'), 'utf8');
      const words = documentedCommand(readme);
      expect(words, `${language}: no docker run command in prestart/README.md`).not.toBeNull();
      expect(words!.slice(0, 3)).toEqual(['docker', 'run', '--rm']);
    }
  });

  it('splits the way the shell does', () => {
    expect(
      documentedCommand('```\ndocker run --rm -v "$PWD/a b:/x:ro" \\\n  img cmd "two words"\n```\n'),
    ).toEqual(['docker', 'run', '--rm', '-v', `${REPO_ROOT}/a b:/x:ro`, 'img', 'cmd', 'two words']);
  });

  for (const language of harnessed) {
    it(
      `${language}: every case gives the same result both ways (${runtime})`,
      { timeout: 900000 },
      async () => {
        const readme = readFileSync(join(runtimesDir, language, 'prestart', 'README.md'), 'utf8');
        const words = documentedCommand(readme)!;
        const args = ['run', '--runtime', runtime, ...words.slice(2)];
        const { code, output } = await run(args, 840000);
        const failed = output.split('\n').filter((line) => line.startsWith('FAIL'));
        expect({ code, failed }, output.slice(-4000)).toEqual({ code: 0, failed: [] });
        // Every harness ends with its count: all of them, and at least one.
        expect(output.trimEnd().split('\n').at(-1)).toMatch(/^([1-9]\d*)\/\1 cases pass$/);
      },
    );
  }
});
