// REST calls to the CodeRunner server (docs/api.md): the API key goes in the X-API-Key header, replies are
// validated with the protocol's schemas, and an error reply becomes an ApiError with the server's code and words.
// A 401 that a key would fix waits for the user to give one (the key prompt), then tries again.
import { API_KEY_HEADER, apiErrorSchema, isAuthErrorCode } from '@coderunner/protocol';
import type { ZodType } from 'zod';
import type { ApiKeyStore } from './api-key';

/** An error reply of the API (or a reply the editor could not read), with the server's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  /** GETs `path` and returns its JSON body, checked against `schema`. */
  get<T>(path: string, schema: ZodType<T>, signal?: AbortSignal): Promise<T>;
  /** POSTs to `path` (with `body` as JSON when given) and returns the reply, checked against `schema`. */
  post<T>(path: string, body: unknown, schema: ZodType<T>, signal?: AbortSignal): Promise<T>;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A user who keeps giving keys the server refuses gets the error after this many prompts. */
const MAX_KEY_PROMPTS = 5;

async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  const parsed = apiErrorSchema.safeParse(await readJson(response));
  return parsed.success
    ? new ApiError(response.status, parsed.data.code, parsed.data.message)
    : new ApiError(response.status, `http_${response.status}`, `the server answered ${response.status}`);
}

/**
 * An API client for the same-origin server.
 *
 * @example
 *   const api = createApiClient({ keys });
 *   const runtimes = await api.get('/api/v1/runtimes', z.array(runtimeInfoSchema));
 */
export function createApiClient(options: { keys: ApiKeyStore; fetch?: FetchLike }): ApiClient {
  const { keys } = options;
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: ZodType<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    for (let prompts = 0; ; prompts++) {
      const key = keys.get();
      const headers: Record<string, string> = { accept: 'application/json' };
      if (key !== null) headers[API_KEY_HEADER] = key;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const init: RequestInit = { method, headers };
      if (body !== undefined) init.body = JSON.stringify(body);
      if (signal) init.signal = signal;
      const response = await fetchFn(path, init);
      if (response.ok) {
        const parsed = schema.safeParse(await readJson(response));
        if (parsed.success) return parsed.data;
        throw new ApiError(
          response.status,
          'bad_reply',
          `the server's reply to ${method} ${path} is not readable`,
        );
      }
      const error = await errorOf(response);
      if (response.status !== 401 || !isAuthErrorCode(error.code) || prompts >= MAX_KEY_PROMPTS) throw error;
      const reason = error.code === 'CR_ERR_AUTH_INVALID_KEY' ? 'invalid' : 'missing';
      const next = await keys.request({ reason, message: error.message }, key, signal);
      if (next === null) throw error;
    }
  }

  return {
    get: (path, schema, signal) => call('GET', path, undefined, schema, signal),
    post: (path, body, schema, signal) => call('POST', path, body, schema, signal),
  };
}

/** The error's message for people (an abort or a network failure included). */
export function errorMessage(err: unknown): string {
  // The server's words for these address developers (which header to send); a student needs fewer.
  if (err instanceof ApiError && err.code === 'CR_ERR_AUTH_MISSING_KEY')
    return 'this server needs an API key';
  if (err instanceof ApiError && err.code === 'CR_ERR_AUTH_INVALID_KEY')
    return 'the server did not accept the API key';
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error)
    return err.message === 'Failed to fetch' ? 'the server cannot be reached' : err.message;
  return String(err);
}
