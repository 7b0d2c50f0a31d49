// Files out of a run (docs/api.md, "Files out of a run"): what a program leaves under out/, or names with the
// request's outputs globs, comes back with the result, capped in count and bytes; matplotlib saves without a
// display and plt.show() leaves an image; links are never followed. Real server, real Docker.
import type { RunResponse } from '@coderunner/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../src/create-server.js';
import { postRun, startTestServer } from './helpers.js';

let server: CodeRunnerServer;

beforeAll(async () => {
  server = await startTestServer({
    LANGUAGES: 'python',
    POOL_SIZE: '1',
    RUN_OUTPUT_FILES_MAX: '4',
    RUN_OUTPUT_FILES_MAX_KB: '256',
  });
}, 240000);

afterAll(async () => {
  await server?.app.close();
});

async function py(code: string, extra: Record<string, unknown> = {}): Promise<RunResponse> {
  const res = await postRun(server.app, {
    language: 'python',
    files: [{ name: 'main.py', content: code }],
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<RunResponse>();
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('files out of a run', () => {
  it('returns what the program wrote under out/ and what a glob names, with sizes and media types', async () => {
    const result = await py(
      [
        'import os',
        'os.makedirs("out/data", exist_ok=True)',
        'open("out/answer.txt", "w").write("42\\n")',
        'open("out/data/table.csv", "w").write("x,y\\n1,2\\n")',
        'open("summary.json", "w").write("{}")',
        'open("scratch.tmp", "w").write("not wanted")',
      ].join('\n'),
      { outputs: ['*.json'] },
    );
    expect(result.status).toBe('ok');
    expect(result.outputsTruncated).toBe(false);
    expect(result.outputs!.map((f) => [f.name, f.size, f.mediaType])).toEqual([
      ['out/answer.txt', 3, 'text/plain'],
      ['out/data/table.csv', 8, 'text/csv'],
      ['summary.json', 2, 'application/json'],
    ]);
    expect(Buffer.from(result.outputs![0]!.content, 'base64').toString()).toBe('42\n');
  });

  it('saves matplotlib figures without a display, and plt.show() leaves one as out/figure-1.png', async () => {
    const result = await py(
      [
        'import matplotlib.pyplot as plt',
        'plt.plot([1, 2, 3], [1, 4, 9])',
        'plt.savefig("out/plot.png")',
        'plt.figure()',
        'plt.bar(["a", "b"], [3, 5])',
        'plt.show()',
        'print("shown")',
      ].join('\n'),
    );
    expect(result.status, JSON.stringify(result.run)).toBe('ok');
    expect(result.run?.stdout).toBe('shown\n');
    const names = result.outputs!.map((f) => f.name);
    expect(names).toEqual(['out/figure-1.png', 'out/figure-2.png', 'out/plot.png']);
    for (const file of result.outputs!) {
      expect(file.mediaType).toBe('image/png');
      expect(Buffer.from(file.content, 'base64').subarray(0, 8).equals(PNG)).toBe(true);
    }
  });

  it('caps the count and the bytes and says so; never follows a link out of the work dir', async () => {
    const many = await py(
      'import os\nos.makedirs("out")\nfor i in range(6): open(f"out/{i}.txt", "w").write(str(i))',
    );
    expect(many.outputs!.map((f) => f.name)).toEqual(['out/0.txt', 'out/1.txt', 'out/2.txt', 'out/3.txt']);
    expect(many.outputsTruncated).toBe(true);
    const big = await py(
      'import os\nos.makedirs("out")\nopen("out/a.bin", "wb").write(b"x" * 200000)\nopen("out/b.bin", "wb").write(b"y" * 100000)',
    );
    expect(big.outputs!.map((f) => [f.name, f.size])).toEqual([['out/a.bin', 200000]]);
    expect(big.outputsTruncated).toBe(true);
    const linked = await py(
      'import os\nos.makedirs("out")\nos.symlink("/etc/passwd", "out/passwd")\nos.symlink("/etc", "out/etc")',
    );
    expect(linked.outputs ?? []).toEqual([]);
  });

  it('gives each test case its own files, and a hidden test none', async () => {
    const code =
      'import os, sys\nos.makedirs("out", exist_ok=True)\nopen(f"out/{sys.argv[1]}.txt", "w").write(sys.argv[1])';
    const result = await py(code, {
      tests: [{ args: ['first'] }, { args: ['second'] }, { args: ['secret'], hidden: true }],
    });
    expect(result.tests!.map((t) => (t.outputs ?? []).map((f) => f.name))).toEqual([
      ['out/first.txt'],
      ['out/second.txt'],
      [],
    ]);
    expect(JSON.stringify(result)).not.toContain(Buffer.from('secret').toString('base64'));
  });
});
