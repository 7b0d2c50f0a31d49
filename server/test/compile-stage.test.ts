import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../src/create-server.js';
import { postRun, single, startTestServer } from './helpers.js';

let server: CodeRunnerServer;

beforeAll(async () => {
  server = await startTestServer({ LANGUAGES: 'c', POOL_SIZE: '1' });
});

afterAll(async () => {
  await server.app.close();
});

async function run(body: unknown) {
  const res = await postRun(server.app, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('compile and run stages', () => {
  it('runs the program with its own memory limit after compiling with the larger one', async () => {
    // 300 MB written page by page: fine for the 1 GiB compile limit, fatal under the run's 128 MB.
    const code = [
      '#include <stdio.h>',
      '#include <stdlib.h>',
      'int main(void) {',
      '    size_t n = 300u << 20;',
      '    volatile char *p = malloc(n);',
      '    if (!p) return 2;',
      '    for (size_t i = 0; i < n; i += 4096) p[i] = 1;',
      '    printf("survived %d\\n", p[n - 4096]);',
      '    return 0;',
      '}',
    ].join('\n');
    const limited = await run(single('c', 'main.c', code, { limits: { memoryMb: 128 } }));
    expect(limited.status).toBe('memory_limit');
    expect(limited.compile.exitCode).toBe(0);
    const roomy = await run(single('c', 'main.c', code, { limits: { memoryMb: 512 } }));
    expect(roomy.status).toBe('ok');
    expect(roomy.run.stdout).toBe('survived 1\n');
  });

  it('never reaches the run stage when compiling fails, and shows the whole compiler output', async () => {
    const code = Array.from({ length: 40 }, (_, i) => `int f${i}(void) { return undefined_${i}; }`).join(
      '\n',
    );
    const result = await run(single('c', 'main.c', `${code}\nint main(void) { return 0; }`));
    expect(result.status).toBe('compile_error');
    expect(result.run).toBeNull();
    expect(result.compile.exitCode).not.toBe(0);
    for (const i of [0, 20, 39]) expect(result.compile.stderr).toContain(`undefined_${i}`);
  });

  it('gives stdin to the run stage, not the compiler', async () => {
    const code =
      '#include <stdio.h>\nint main(void) { int a, b; scanf("%d %d", &a, &b); printf("%d\\n", a + b); }';
    const result = await run(single('c', 'main.c', code, { stdin: '40 2\n' }));
    expect(result.status).toBe('ok');
    expect(result.run.stdout).toBe('42\n');
  });

  it('stops a compile that runs past its own time limit', async () => {
    // Each level doubles the expansion: the preprocessor takes far longer than 300 ms.
    const levels = Array.from({ length: 28 }, (_, i) => `#define L${i + 1} L${i} L${i}`).join('\n');
    const code = `#define L0 x\n${levels}\nint main(void) { int x = 0; return (L28, 0); }`;
    const result = await run(single('c', 'main.c', code, { limits: { compile: { timeoutMs: 300 } } }));
    expect(result.status).toBe('timeout');
    expect(result.run).toBeNull();
  });
});
