import type { RunResponse } from '@coderunner/protocol';

/** Where a stored run is in its life. */
export type StoredRunState = 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';

/** The states a run never leaves: a store keeps a record in one of them whatever live state is written later. */
export const TERMINAL_RUN_STATES: readonly StoredRunState[] = ['finished', 'failed', 'cancelled'];

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
 * default (store/sqlite-run-store.ts); PostgreSQL (store/pg-run-store.ts, `DATABASE_URL`) is the shared one for
 * several API instances and workers. Both pass one contract suite (test/contract/run-store-contract.ts).
 */
export interface RunStore {
  /**
   * Inserts the record, or updates its state, finishedAt, result and error (id, language, keyId, createdAt and
   * request stay as first written). Atomic per record. A record in a terminal state (finished, failed,
   * cancelled) is never moved back to queued or running: with several processes an API's `queued` write can
   * arrive after a worker's `finished` one, and is then dropped. A terminal write replaces a terminal record
   * (the last one wins).
   */
  put(record: RunRecord): Promise<void>;
  /** The record as last written, or null for an unknown id. */
  get(id: string): Promise<RunRecord | null>;
  /** Drops runs older than `maxAgeMs`, then the oldest beyond `maxRuns`. Returns how many went. */
  prune(limits: { maxAgeMs: number; maxRuns: number }, now?: number): Promise<number>;
  /** Releases the store; a second call does nothing, and other calls after it reject. */
  close(): Promise<void>;
}
