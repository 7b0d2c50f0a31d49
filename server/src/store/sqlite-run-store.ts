import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { TERMINAL_RUN_STATES, type RunRecord, type RunStore } from './run-store.js';

/** `'finished', 'failed', 'cancelled'` for SQL: constants of our own, not input. */
const TERMINAL_SQL = TERMINAL_RUN_STATES.map((state) => `'${state}'`).join(', ');

interface Row {
  id: string;
  state: RunRecord['state'];
  language: string;
  key_id: string | null;
  created_at: number;
  finished_at: number | null;
  request: string;
  result: string | null;
  error: string | null;
}

/**
 * The embedded run store: one SQLite file (better-sqlite3 v12, WAL), `STATE_DIR/runs.sqlite` by default. Writes
 * are synchronous and small (one row per state change), so they never hold the event loop for long. The upsert's
 * WHERE keeps a terminal record from going back to a live state (RunStore.put). After close() every other call
 * rejects (better-sqlite3 throws "The database connection is not open"; the async methods turn that into a
 * rejection).
 */
export class SqliteRunStore implements RunStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly select: Database.Statement;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS runs (
      id TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      language TEXT NOT NULL,
      key_id TEXT,
      created_at INTEGER NOT NULL,
      finished_at INTEGER,
      request TEXT NOT NULL,
      result TEXT,
      error TEXT
    );
    CREATE INDEX IF NOT EXISTS runs_created_at ON runs (created_at);`);
    this.upsert = this.db
      .prepare(`INSERT INTO runs (id, state, language, key_id, created_at, finished_at, request, result, error)
      VALUES (@id, @state, @language, @key_id, @created_at, @finished_at, @request, @result, @error)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, finished_at = excluded.finished_at,
        result = excluded.result, error = excluded.error
      WHERE runs.state NOT IN (${TERMINAL_SQL}) OR excluded.state IN (${TERMINAL_SQL})`);
    this.select = this.db.prepare('SELECT * FROM runs WHERE id = ?');
  }

  async put(record: RunRecord): Promise<void> {
    this.upsert.run({
      id: record.id,
      state: record.state,
      language: record.language,
      key_id: record.keyId,
      created_at: record.createdAt,
      finished_at: record.finishedAt,
      request: JSON.stringify(record.request),
      result: record.result ? JSON.stringify(record.result) : null,
      error: record.error ? JSON.stringify(record.error) : null,
    });
  }

  async get(id: string): Promise<RunRecord | null> {
    const row = this.select.get(id) as Row | undefined;
    if (!row) return null;
    return {
      id: row.id,
      state: row.state,
      language: row.language,
      keyId: row.key_id,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
      request: JSON.parse(row.request) as RunRecord['request'],
      result: row.result ? (JSON.parse(row.result) as RunRecord['result']) : null,
      error: row.error ? (JSON.parse(row.error) as RunRecord['error']) : null,
    };
  }

  async prune(limits: { maxAgeMs: number; maxRuns: number }, now = Date.now()): Promise<number> {
    const old = this.db.prepare('DELETE FROM runs WHERE created_at < ?').run(now - limits.maxAgeMs).changes;
    const extra = this.db
      .prepare(
        'DELETE FROM runs WHERE id IN (SELECT id FROM runs ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?)',
      )
      .run(limits.maxRuns).changes;
    return old + extra;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
