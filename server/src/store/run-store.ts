import type { RunResponse } from '@coderunner/protocol';

/** Where a stored run is in its life. */
export type StoredRunState = 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';

/** What is kept of a run: never its source code or stdin, only a summary of the request. */
export interface RunRecord {
  id: string;
  state: StoredRunState;
  language: string;
  /** Short hash of the API key that asked for it, or null on an open server. */
  keyId: string | null;
  createdAt: number;
  finishedAt: number | null;
  request: { files: number; bytes: number; tests: number };
  result: RunResponse | null;
  error: { code: string; message: string } | null;
}

/**
 * The run store behind `GET /api/v1/runs/{id}` and asynchronous runs. SQLite in the state folder is the embedded
 * default (store/sqlite-run-store.ts); the same contract is meant for PostgreSQL.
 */
export interface RunStore {
  put(record: RunRecord): Promise<void>;
  get(id: string): Promise<RunRecord | null>;
  /** Drops runs older than `maxAgeMs`, then the oldest beyond `maxRuns`. Returns how many went. */
  prune(limits: { maxAgeMs: number; maxRuns: number }, now?: number): Promise<number>;
  close(): Promise<void>;
}
