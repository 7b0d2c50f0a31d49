// A warm Python hello through the Jobe API (POST /jobe/index.php/restapi/runs/) over real HTTP, as Moodle's
// qtype_coderunner sends it. The lead wires it into bench/main.ts next to the native path.

const REQUEST_TIMEOUT_MS = 30000;

/**
 * Sends up to `bounds.count` sequential Jobe runs of a Python hello to `baseUrl`, stopping at `budgetMs` or
 * when `signal` aborts; returns each successful request's latency in ms. A reply that is not outcome 15 with
 * the expected output throws, so a broken adapter never yields numbers.
 */
export async function benchJobe(
  baseUrl: string,
  bounds: { count: number; budgetMs: number; signal: AbortSignal },
): Promise<number[]> {
  const body = JSON.stringify({
    run_spec: {
      language_id: 'python3',
      sourcecode: 'print("Hello, world!")\n',
      sourcefilename: '__tester__.python3',
      parameters: { cputime: 3, memorylimit: 500000 },
    },
  });
  const latencies: number[] = [];
  const end = Date.now() + bounds.budgetMs;
  for (let i = 0; i < bounds.count && Date.now() < end && !bounds.signal.aborted; i++) {
    const started = performance.now();
    const res = await fetch(`${baseUrl}/jobe/index.php/restapi/runs/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
      body,
      signal: AbortSignal.any([bounds.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
    const result = (await res.json()) as { outcome?: number; stdout?: string };
    if (res.status !== 200 || result.outcome !== 15 || result.stdout !== 'Hello, world!\n') {
      throw new Error(`Jobe run failed: ${res.status} ${JSON.stringify(result).slice(0, 300)}`);
    }
    latencies.push(performance.now() - started);
  }
  return latencies;
}
