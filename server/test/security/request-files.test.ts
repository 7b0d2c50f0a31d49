// Hostile requests rather than hostile programs: file names that try to leave the work dir (`..`, absolute
// paths, backslashes, empty or `.` segments, NUL and control characters, a file that is also a folder), 10,000
// files at the default file-count cap (RUN_MAX_FILES = 100), and one file larger than the body cap
// (RUN_MAX_BODY_KB = 5 MiB). What must hold: validation refuses each before any container is touched — 400
// naming the offending file or the cap, 413 for the body — with a JSON error, and the server stays healthy while
// another run goes on.
import { describe, expect, it } from 'vitest';
import { attack, useSecurityServer } from './harness.js';

useSecurityServer();

// These never reach a container, so there is no runner process to look for.
const noContainer = { skipProcessCheck: true };

function withFiles(files: Array<{ name: string; content: string; toBeExec?: boolean }>) {
  return { language: 'python', files };
}

const ESCAPES: Array<[string, string]> = [
  ['a parent segment', '../evil.py'],
  ['a parent segment deeper down', 'lib/../../evil.py'],
  ['an absolute path', '/etc/cron.d/evil'],
  ['an absolute path into the agent', '/usr/local/bin/coderunner-agent'],
  ['only dots', '..'],
  ['a dot segment', './main.py'],
  ['backslashes', '..\\..\\evil.py'],
  ['an empty segment', 'lib//evil.py'],
  ['a trailing slash', 'lib/'],
  ['a NUL byte', 'main.py\u0000.txt'],
  ['a newline', 'evil\n.py'],
  ['an empty name', ''],
];

describe('hostile file names and sizes in the request', () => {
  for (const [what, name] of ESCAPES) {
    it(`refuses a file name with ${what} (${JSON.stringify(name)}) with 400`, async () => {
      const request = withFiles([
        { name: 'main.py', content: 'print(1)', toBeExec: true },
        { name, content: 'print("escaped")' },
      ]);
      await attack(
        request,
        (outcome) => {
          expect(outcome.statusCode).toBe(400);
          expect(outcome.body.code).toBe('CR_ERR_RUN_BAD_FILE_NAME');
          expect(outcome.body.message).toMatch(/^files\[1\]\.name /);
        },
        noContainer,
      );
    });
  }

  it('refuses a file that is also used as a folder (a/b next to a) with 400', async () => {
    const request = withFiles([
      { name: 'main.py', content: 'print(1)', toBeExec: true },
      { name: 'lib', content: 'x' },
      { name: 'lib/util.py', content: 'x' },
    ]);
    await attack(
      request,
      (outcome) => {
        expect(outcome.statusCode).toBe(400);
        expect(outcome.body.code).toBe('CR_ERR_RUN_BAD_FILE_NAME');
      },
      noContainer,
    );
  });

  it('refuses 10,000 files at the default file-count cap (100) with 400', async () => {
    const files = Array.from({ length: 10000 }, (_, i) => ({ name: `f${i}.py`, content: '' }));
    files[0] = { name: 'f0.py', content: 'print(1)', toBeExec: true } as (typeof files)[number];
    await attack(
      withFiles(files),
      (outcome) => {
        expect(outcome.statusCode).toBe(400);
        expect(outcome.body.code).toBe('CR_ERR_RUN_INVALID_REQUEST');
        expect(outcome.body.message).toContain('files may hold at most 100 files');
      },
      noContainer,
    );
  });

  it('refuses one file larger than the body cap with 413', async () => {
    const huge = `# ${'x'.repeat(6 * 1024 * 1024)}\nprint(1)\n`;
    await attack(
      withFiles([{ name: 'main.py', content: huge }]),
      (outcome) => {
        expect(outcome.statusCode).toBe(413);
        expect(outcome.body.code).toBe('CR_ERR_HTTP_BODY_TOO_LARGE');
        expect(outcome.elapsedMs).toBeLessThan(5000);
      },
      noContainer,
    );
  });
});
