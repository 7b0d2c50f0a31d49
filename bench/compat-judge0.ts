/**
 * Latency of a warm Python hello through the Judge0 compatibility API (POST /judge0/submissions?wait=true).
 * The lead wires it into bench/main.ts.
 */
export async function benchJudge0(
  baseUrl: string,
  bounds: { count: number; budgetMs: number; signal: AbortSignal },
): Promise<number[]> {
  const latencies: number[] = [];
  const started = performance.now();
  const body = JSON.stringify({ source_code: 'print("hello")', language_id: 71 });
  for (let i = 0; i < bounds.count && performance.now() - started < bounds.budgetMs; i++) {
    if (bounds.signal.aborted) break;
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}/judge0/submissions?base64_encoded=false&wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: bounds.signal,
    });
    const result = (await res.json()) as { status?: { id: number }; stdout?: string };
    if (res.status !== 201 || result.status?.id !== 3 || result.stdout !== 'hello\n')
      throw new Error(`judge0 bench: unexpected answer ${res.status} ${JSON.stringify(result)}`);
    latencies.push(performance.now() - t0);
  }
  return latencies;
}
