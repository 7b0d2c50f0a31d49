import { runtimeInfoSchema, type RuntimeInfo } from '@coderunner/protocol';
import { z } from 'zod';
import type { ApiClient } from './api-client';

const runtimesSchema = z.array(runtimeInfoSchema);

/** Fetches the languages the server runs (`GET /api/v1/runtimes`), sorted by language id. */
export function fetchRuntimes(api: ApiClient, signal?: AbortSignal): Promise<RuntimeInfo[]> {
  return api.get('/api/v1/runtimes', runtimesSchema, signal);
}
