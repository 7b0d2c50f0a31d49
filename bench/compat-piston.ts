/**
 * Latency of a warm Python hello through the Piston v2 compatibility API (POST /api/v2/execute), the request
 * piston-client sends. The lead wires it into bench/main.ts.
 */
export async function benchPiston(
  baseUrl: string,
  bounds: { count: number; budgetMs: number; signal: AbortSignal },
): Promise<number[]> {
  const latencies: number[] = [];
  const started = performance.now();
  const body = JSON.stringify({
    language: 'python',
    version: '*',
    files: [{ content: 'print("hello")' }],
    stdin: '',
    args: [],
    run_timeout: 3000,
    compile_memory_limit: -1,
    run_memory_limit: -1,
  });
  for (let i = 0; i < bounds.count && performance.now() - started < bounds.budgetMs; i++) {
    if (bounds.signal.aborted) break;
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}/api/v2/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: bounds.signal,
    });
    const result = (await res.json()) as { run?: { stdout?: string; code?: number | null } };
    if (res.status !== 200 || result.run?.code !== 0 || result.run.stdout !== 'hello\n')
      throw new Error(`piston bench: unexpected answer ${res.status} ${JSON.stringify(result)}`);
    latencies.push(performance.now() - t0);
  }
  return latencies;
}
