// Phase (d3) of npm run bench: a C program with 20 test cases in one request (compile once, 20 run stages in
// one container) beside the same 20 runs sent as 20 separate requests, one after another, each compiling.

const REQUEST_TIMEOUT_MS = 60000;
export const TEST_COUNT = 20;

const SOURCE = [
  '#include <stdio.h>',
  'int main(void) {',
  '  long a, b;',
  '  if (scanf("%ld %ld", &a, &b) != 2) return 2;',
  '  printf("%ld\\n", a + b);',
  '  return 0;',
  '}',
].join('\n');

const TESTS = Array.from({ length: TEST_COUNT }, (_, i) => ({
  stdin: `${i} ${i * 7}\n`,
  expectedOutput: `${i * 8}\n`,
}));

async function post(baseUrl: string, body: object, signal: AbortSignal): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}/api/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
  });
  const result = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200)
    throw new Error(`run failed: ${res.status} ${JSON.stringify(result).slice(0, 300)}`);
  return result;
}

/** One request with all 20 tests; throws unless every verdict is `passed`. Returns its wall time in ms. */
export async function benchTestsBatched(baseUrl: string, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  const result = await post(
    baseUrl,
    { language: 'c', files: [{ name: 'add.c', content: SOURCE }], tests: TESTS },
    signal,
  );
  const elapsed = performance.now() - started;
  const score = result.score as { passed?: number } | undefined;
  if (score?.passed !== TEST_COUNT) throw new Error(`not every test passed: ${JSON.stringify(result.score)}`);
  return elapsed;
}

/** The same 20 runs as 20 requests in a row, each compiling; throws on a wrong output. Returns the total ms. */
export async function benchTestsSeparate(baseUrl: string, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  for (const test of TESTS) {
    const result = await post(
      baseUrl,
      { language: 'c', files: [{ name: 'add.c', content: SOURCE }], stdin: test.stdin },
      signal,
    );
    const run = result.run as { stdout?: string } | null;
    if (run?.stdout !== test.expectedOutput)
      throw new Error(`wrong output: ${JSON.stringify(result).slice(0, 300)}`);
  }
  return performance.now() - started;
}
