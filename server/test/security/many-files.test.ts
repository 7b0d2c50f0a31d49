// Many files and deep folders, accepted: with the file-count cap raised to its maximum (RUN_MAX_FILES=10000)
// the exploit sends 10,000 files (many of them in folders) for the agent to write, then 10,001 files, and
// a file 500 folders deep with a name at the length limit. What must hold: 10,000 files are written under
// /work and the run is `ok` in bounded time; 10,001 are refused with 400 by the cap; the deep file lands
// inside /work; the agent and server stay healthy. (At the default cap of 100, request-files.test.ts checks
// that 10,000 files are refused.)
import { describe, expect, it } from 'vitest';
import { attack, executeMs, expectStatus, send, useSecurityServer } from './harness.js';

useSecurityServer({ RUN_MAX_FILES: '10000' });

const COUNT = `import os\nn = sum(len(f) for _, _, f in os.walk("/work"))\nprint("files", n)`;

function manyFiles(count: number) {
  const files: Array<{ name: string; content: string; toBeExec?: boolean }> = [
    { name: 'main.py', content: COUNT, toBeExec: true },
  ];
  for (let i = 1; i < count; i++) files.push({ name: `d${i % 50}/s${i % 7}/f${i}.txt`, content: `${i}` });
  return { language: 'python', files, limits: { timeoutMs: 10000 } };
}

describe('10,000 files with the cap raised', () => {
  it('writes 10,000 files in 350 folders and runs', async () => {
    await attack(manyFiles(10000), (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('files 10000\n');
      expect(executeMs(outcome)).toBeLessThan(15000);
    });
  });

  it('refuses 10,001 files with 400', async () => {
    const outcome = await send(manyFiles(10001));
    expect(outcome.statusCode).toBe(400);
    expect(outcome.body.message).toContain('files may hold at most 10000 files');
  });

  it('writes a file 500 folders deep inside /work', async () => {
    const deep = `${'d/'.repeat(500)}${'n'.repeat(1024 - 1000 - 3)}.py`;
    expect(deep.length).toBe(1024); // the longest name validation allows
    const code = [
      'import os',
      'found = [os.path.realpath(os.path.join(r, f)) for r, _, fs in os.walk("/work") for f in fs]',
      'print(len(found), all(p.startswith("/work/") for p in found), max(p.count("/") for p in found))',
    ].join('\n');
    const request = {
      language: 'python',
      files: [
        { name: 'main.py', content: code, toBeExec: true },
        { name: deep, content: 'x' },
      ],
    };
    await attack(request, (outcome) => {
      expect(expectStatus(outcome, 'ok').stdout).toBe('2 True 502\n');
    });
  });
});
