import { apiKey, apiKeyHeaders } from './api-key';

/** One language the server runs, as `GET /api/v1/runtimes` describes it. */
export interface Runtime {
  language: string;
  displayName: string;
  version: string;
  aliases: string[];
  extensions: string[];
  compiled: boolean;
}

/** Fetches the languages the server runs, sorted by language id. */
export async function fetchRuntimes(signal?: AbortSignal): Promise<Runtime[]> {
  const headers = apiKeyHeaders(apiKey());
  const response = await fetch('/api/v1/runtimes', signal ? { signal, headers } : { headers });
  if (!response.ok) throw new Error(`the server answered ${response.status} for its language list`);
  return (await response.json()) as Runtime[];
}
