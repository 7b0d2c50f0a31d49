import pg from 'pg';
import { TERMINAL_RUN_STATES, type RunRecord, type RunStore } from './run-store.js';

/** Our own name, so the store can share a database with other applications. */
const TABLE = 'coderunner_runs';
/** `'finished', 'failed', 'cancelled'` for SQL: constants of our own, not input. */
const TERMINAL_SQL = TERMINAL_RUN_STATES.map((state) => `'${state}'`).join(', ');

// Several instances may start at once against an empty database; CREATE ... IF NOT EXISTS is not safe against
// itself (two can both find the table missing), so the schema is made under a transaction-scoped advisory lock.
const SCHEMA = `
  SELECT pg_advisory_xact_lock(hashtext('${TABLE}'));
  CREATE TABLE IF NOT EXISTS ${TABLE} (
    id text PRIMARY KEY,
    state text NOT NULL,
    language text NOT NULL,
    key_id text,
    created_at bigint NOT NULL,
    finished_at bigint,
    request jsonb NOT NULL,
    result jsonb,
    error jsonb
  );
  CREATE INDEX IF NOT EXISTS ${TABLE}_created_at ON ${TABLE} (created_at);`;

// The WHERE keeps a terminal record from going back to a live state (RunStore.put); the row is locked by the
// conflict, so the check and the update are one atomic step even when an API and a worker write at once.
const UPSERT = `
  INSERT INTO ${TABLE} (id, state, language, key_id, created_at, finished_at, request, result, error)
  VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb)
  ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, finished_at = EXCLUDED.finished_at,
    result = EXCLUDED.result, error = EXCLUDED.error
  WHERE ${TABLE}.state NOT IN (${TERMINAL_SQL}) OR EXCLUDED.state IN (${TERMINAL_SQL})`;

// jsonb as text: parsed here, after undoing the NUL encoding (see encodeJson).
const SELECT = `
  SELECT id, state, language, key_id, created_at, finished_at,
    request::text AS request, result::text AS result, error::text AS error
  FROM ${TABLE} WHERE id = $1`;

// One statement, so the two deletions see one snapshot: the count pass leaves out what the age pass removes.
// Ties on created_at go by id in byte order (COLLATE "C"), as in SQLite, whatever the database's collation.
const PRUNE = `
  WITH aged AS (
    DELETE FROM ${TABLE} WHERE created_at < $1 RETURNING 1
  ), extra AS (
    DELETE FROM ${TABLE} WHERE id IN (
      SELECT id FROM ${TABLE} WHERE created_at >= $1
      ORDER BY created_at DESC, id COLLATE "C" DESC OFFSET $2
    ) RETURNING 1
  )
  SELECT (SELECT count(*) FROM aged) + (SELECT count(*) FROM extra) AS pruned`;

interface Row {
  id: string;
  state: RunRecord['state'];
  language: string;
  key_id: string | null;
  /** bigint: pg returns it as a string (milliseconds fit a double exactly). */
  created_at: string;
  finished_at: string | null;
  request: string;
  result: string | null;
  error: string | null;
}

export interface PgRunStoreOptions {
  /** Most connections the pool opens (pg's default: 10). */
  maxConnections?: number;
  /**
   * Told of an error on an idle pooled connection (the server restarted, the network dropped it). pg drops that
   * connection and opens a new one for the next query; without a listener the error would end the process.
   */
  onIdleError?: (err: Error) => void;
}

/**
 * The shared run store: one PostgreSQL table (`coderunner_runs`, made at open when missing) used by every API
 * instance and worker, through a pg connection pool. Same columns as the SQLite store, with jsonb for the request
 * summary, result and error and bigint millisecond timestamps.
 *
 * close() stops taking calls (later ones reject at once), waits for the calls already made to finish, then ends
 * the pool; a second close() returns the first one's promise.
 *
 * @example
 *   const store = await PgRunStore.open(config.DATABASE_URL);
 *   await store.put(record);
 *   await store.close();
 */
export class PgRunStore implements RunStore {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | null = null;

  private constructor(private readonly pool: pg.Pool) {}

  /**
   * Connects, creates the table and its index when missing, and returns the store; rejects (with the pool ended)
   * when the database cannot be reached or refuses. The URL may hold a password: it is never logged or quoted.
   */
  static async open(url: string, options: PgRunStoreOptions = {}): Promise<PgRunStore> {
    const pool = new pg.Pool({
      connectionString: url,
      connectionTimeoutMillis: 10_000,
      ...(options.maxConnections === undefined ? {} : { max: options.maxConnections }),
    });
    pool.on('error', (err) => options.onIdleError?.(err));
    try {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(SCHEMA);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new PgRunStore(pool);
  }

  async put(record: RunRecord): Promise<void> {
    await this.use(() =>
      this.pool.query(UPSERT, [
        record.id,
        record.state,
        record.language,
        record.keyId,
        record.createdAt,
        record.finishedAt,
        encodeJson(record.request),
        record.result ? encodeJson(record.result) : null,
        record.error ? encodeJson(record.error) : null,
      ]),
    );
  }

  async get(id: string): Promise<RunRecord | null> {
    const { rows } = await this.use(() => this.pool.query<Row>(SELECT, [id]));
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      state: row.state,
      language: row.language,
      keyId: row.key_id,
      createdAt: Number(row.created_at),
      finishedAt: row.finished_at === null ? null : Number(row.finished_at),
      request: decodeJson(row.request) as RunRecord['request'],
      result: row.result === null ? null : (decodeJson(row.result) as RunRecord['result']),
      error: row.error === null ? null : (decodeJson(row.error) as RunRecord['error']),
    };
  }

  async prune(limits: { maxAgeMs: number; maxRuns: number }, now = Date.now()): Promise<number> {
    const { rows } = await this.use(() =>
      this.pool.query<{ pruned: string }>(PRUNE, [now - limits.maxAgeMs, limits.maxRuns]),
    );
    return Number(rows[0]?.pruned ?? 0);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.inFlight]);
      await this.pool.end();
    })();
    return this.closing;
  }

  /** Runs one call on the pool, counted so close() can wait for it. */
  private use<T>(call: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the PostgreSQL run store is closed'));
    const pending = call();
    this.inFlight.add(pending);
    const forget = (): void => {
      this.inFlight.delete(pending);
    };
    void pending.then(forget, forget);
    return pending;
  }
}

// jsonb cannot hold U+0000 (it rejects the \u0000 escape), yet a program's output may contain it. So the JSON text
// is sent with every U+0000 written as U+E000 U+E002 and every U+E000 (a private-use character) as U+E000 U+E001,
// and read back the other way: the round trip is exact, and jsonb holds a string that differs only there.
const TO_DATABASE = /\\\\|\\u0000|\uE000/g;
const FROM_DATABASE = /\uE000([\uE001\uE002])/g;

function encodeJson(value: unknown): string {
  // `\\` is matched as a pair first, so the text `\u0000` in a string (stringified `\\u0000`) is left alone.
  return JSON.stringify(value).replace(TO_DATABASE, (match) =>
    match === '\\u0000' ? '\uE000\uE002' : match === '\uE000' ? '\uE000\uE001' : match,
  );
}

function decodeJson(text: string): unknown {
  // jsonb's text form writes non-ASCII characters as they are, never escaped, so the markers are found verbatim.
  return JSON.parse(
    text.replace(FROM_DATABASE, (_match, tag: string) => (tag === '\uE001' ? '\uE000' : '\\u0000')),
  );
}
