// Test cases on a run (docs/api.md, "Test cases"): compile once, one run stage per test in the same container,
// each test in a fresh work-dir state with its own stdin, args, files and limits; verdicts, diffs, hidden tests,
// stopOnFirstFailure. Real server, real Docker.
import type { RunResponse } from '@coderunner/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../src/create-server.js';
import { postRun, startTestServer } from './helpers.js';

let server: CodeRunnerServer;

beforeAll(async () => {
  server = await startTestServer({ LANGUAGES: 'python,c', POOL_SIZE: '1' });
}, 240000);

afterAll(async () => {
  await server?.app.close();
});

async function run(body: Record<string, unknown>): Promise<RunResponse> {
  const res = await postRun(server.app, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<RunResponse>();
}

const ADD = [
  '#include <stdio.h>',
  'int main(void) {',
  '  long a, b;',
  '  if (scanf("%ld %ld", &a, &b) != 2) return 2;',
  '  printf("%ld\\n", a + b);',
  '  return 0;',
  '}',
].join('\n');

describe('test cases', () => {
  it('compiles once and judges each test: passed, wrong answer with a diff, runtime error, hidden', async () => {
    const result = await run({
      language: 'c',
      files: [{ name: 'add.c', content: ADD }],
      tests: [
        { name: 'small', stdin: '1 2\n', expectedOutput: '3\n', points: 2 },
        { name: 'wrong', stdin: '2 2\n', expectedOutput: '5\n' },
        { name: 'no input', stdin: '', expectedOutput: '0\n' },
        { name: 'secret', stdin: '40 2', expectedOutput: '42', hidden: true, points: 3 },
        { stdin: '1 1', expectedOutput: '3', hidden: true },
      ],
    });
    expect(result.status).toBe('ok');
    expect(result.compile?.exitCode).toBe(0);
    expect(result.run).toBeNull();
    expect(result.tests!.map((t) => [t.name, t.verdict, t.points])).toEqual([
      ['small', 'passed', 2],
      ['wrong', 'wrong_answer', 0],
      ['no input', 'runtime_error', 0],
      ['secret', 'passed', 3],
      ['test 5', 'wrong_answer', 0],
    ]);
    expect(result.tests![0]).toMatchObject({ stdout: '3\n', exitCode: 0, hidden: false });
    expect(result.tests![1]!.diff).toEqual({ line: 1, column: 1, expected: '5', actual: '4' });
    expect(result.tests![2]!.exitCode).toBe(2);
    // Hidden tests report only their verdict: no output, no diff, nothing of their input.
    for (const hidden of result.tests!.slice(3)) {
      expect(Object.keys(hidden).sort()).toEqual(['hidden', 'name', 'points', 'verdict']);
    }
    expect(JSON.stringify(result)).not.toContain('40 2');
    expect(result.score).toEqual({ passed: 2, total: 5, points: 5, maxPoints: 8 });
  }, 60000);

  it('gives each test a fresh work dir with its own files and args, and its own time limit', async () => {
    const code = [
      'import os, sys, time',
      'print(sorted(os.listdir(".")), sys.argv[1:])',
      'open("left-behind.txt", "w").write("x")',
      'if os.path.exists("data.txt"): print(open("data.txt").read().strip())',
      'if "sleep" in sys.argv: time.sleep(5)',
    ].join('\n');
    const result = await run({
      language: 'python',
      files: [{ name: 'main.py', content: code }],
      args: ['default'],
      tests: [
        { expectedOutput: "['main.py'] ['default']\n" },
        {
          args: ['own'],
          files: [{ name: 'data.txt', content: 'from the test' }],
          expectedOutput: "['data.txt', 'main.py'] ['own']\nfrom the test\n",
        },
        { expectedOutput: "['main.py'] ['default']\n" },
        { args: ['sleep'], timeoutMs: 500 },
      ],
    });
    expect(result.tests!.map((t) => t.verdict)).toEqual(['passed', 'passed', 'passed', 'timeout']);
  }, 60000);

  it('compares with the chosen comparator', async () => {
    const result = await run({
      language: 'python',
      files: [{ name: 'main.py', content: 'print("  3.14159   answer  ")\nprint()\n' }],
      tests: [
        { expectedOutput: '  3.14159   answer', compare: 'trim' },
        { expectedOutput: '3.14159 answer', compare: 'tokens' },
        { expectedOutput: '3.1416 answer', compare: { type: 'float', absolute: 0.001 } },
        { expectedOutput: '\\s*3\\.\\d+\\s+answer\\s*\\n', compare: 'regex' },
        { expectedOutput: '  3.14159   answer  \n', compare: 'exact' },
      ],
    });
    expect(result.tests!.map((t) => t.verdict)).toEqual([
      'passed',
      'passed',
      'passed',
      'passed',
      'wrong_answer',
    ]);
  }, 60000);

  it('stops after the first failure when asked, and skips the rest', async () => {
    const result = await run({
      language: 'c',
      files: [{ name: 'add.c', content: ADD }],
      stopOnFirstFailure: true,
      tests: [
        { stdin: '1 1', expectedOutput: '2' },
        { stdin: '1 1', expectedOutput: '3' },
        { stdin: '2 2', expectedOutput: '4' },
      ],
    });
    expect(result.status).toBe('ok');
    expect(result.tests!.map((t) => t.verdict)).toEqual(['passed', 'wrong_answer', 'skipped']);
    expect(result.score).toMatchObject({ passed: 1, total: 3 });
  }, 60000);

  it('reports compile_error for every test when the program does not compile', async () => {
    const result = await run({
      language: 'c',
      files: [{ name: 'add.c', content: 'int main(void) { return x; }' }],
      tests: [{ stdin: '1 1', expectedOutput: '2' }, { stdin: '' }],
    });
    expect(result.status).toBe('compile_error');
    expect(result.tests!.map((t) => t.verdict)).toEqual(['compile_error', 'compile_error']);
    expect(result.score).toEqual({ passed: 0, total: 2, points: 0, maxPoints: 2 });
  }, 60000);

  it('lets a teacher checker judge: accept, reject with its message, and checker_error when it breaks', async () => {
    const checker = [
      'import sys',
      'inp, expected, actual = sys.argv[1:4]',
      'want = float(open(expected).read())',
      'got = float(sys.stdin.read())',
      'if abs(want - got) <= 0.01:',
      '    sys.exit(0)',
      'print(f"off by {abs(want - got):.2f} for input {open(inp).read().strip()}")',
      'sys.exit(1)',
    ].join('\n');
    const tests = [
      { name: 'close', stdin: '1 1', expectedOutput: '2.001', compare: 'checker' },
      { name: 'far', stdin: '1 2', expectedOutput: '4', compare: 'checker' },
      { name: 'plain', stdin: '2 2', expectedOutput: '4' },
      { name: 'hidden', stdin: '3 4', expectedOutput: '9', compare: 'checker', hidden: true },
    ];
    const result = await run({
      language: 'c',
      files: [{ name: 'add.c', content: ADD }],
      checker: { language: 'python', files: [{ name: 'check.py', content: checker }] },
      tests,
    });
    expect(result.tests!.map((t) => [t.name, t.verdict])).toEqual([
      ['close', 'passed'],
      ['far', 'wrong_answer'],
      ['plain', 'passed'],
      ['hidden', 'wrong_answer'],
    ]);
    expect(result.tests![1]!.message).toBe('off by 1.00 for input 1 2');
    expect(result.tests![3]).toEqual({ name: 'hidden', verdict: 'wrong_answer', points: 0, hidden: true });
    expect(result.score).toEqual({ passed: 2, total: 4, points: 2, maxPoints: 4 });

    const broken = await run({
      language: 'c',
      files: [{ name: 'add.c', content: ADD }],
      checker: { language: 'python', files: [{ name: 'check.py', content: 'import sys\nsys.exit(3)\n' }] },
      tests: [tests[0]],
    });
    expect(broken.tests![0]).toMatchObject({ verdict: 'checker_error', points: 0 });
    expect(broken.tests![0]!.message).toContain('exit 3');

    const missing = await postRun(server.app, {
      language: 'c',
      files: [{ name: 'add.c', content: ADD }],
      tests: [tests[0]],
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'CR_ERR_RUN_CHECKER_MISSING' });
  }, 60000);

  it('refuses bad test cases with a clear 400', async () => {
    const bad = [
      [{ tests: [] }, 'tests must hold at least one test'],
      [{ tests: [{ compare: 'fuzzy' }] }, 'tests[0].compare'],
      [{ tests: [{ timeoutMs: 10 ** 9 }] }, 'tests[0].timeoutMs: must be at most 30000'],
      [{ tests: [{ files: [{ name: '../x', content: '' }] }] }, 'tests[0].files[0]'],
    ] as const;
    for (const [extra, text] of bad) {
      const res = await postRun(server.app, {
        language: 'python',
        files: [{ name: 'a.py', content: '' }],
        ...extra,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ message: string }>().message).toContain(text);
    }
  });
});
