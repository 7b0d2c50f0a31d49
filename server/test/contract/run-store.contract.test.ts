// The RunStore contract on every store: SQLite in memory and in a file (the embedded default), and PostgreSQL on a
// real server started for this file (test/support/postgres-server.ts; `npm test` installs it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgRunStore } from '../../src/store/pg-run-store.js';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { describeRunStoreContract, runRecord, runResult } from './run-store-contract.js';
import { freeLoopbackPort } from '../support/redis-server.js';

describeRunStoreContract('SQLite in memory', async () => new SqliteRunStore(':memory:'));

const sqliteDir = mkdtempSync(join(tmpdir(), 'run-store-contract-'));
let files = 0;
describeRunStoreContract(
  'SQLite in a file',
  // A folder that does not exist yet: the store makes it, as it does for STATE_DIR.
  async () => new SqliteRunStore(join(sqliteDir, `case-${++files}`, 'runs.sqlite')),
  async () => rmSync(join(sqliteDir, `case-${files}`), { recursive: true, force: true }),
);
afterAll(() => rmSync(sqliteDir, { recursive: true, force: true }));

let postgres: PostgresServer | undefined;
beforeAll(async () => {
  postgres = await startPostgres();
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
}, 60_000);

describeRunStoreContract(
  'PostgreSQL',
  () => PgRunStore.open(postgres!.url),
  // Dropped after each case, so the next one also covers making the table in an empty database.
  async () => {
    const client = new pg.Client({ connectionString: postgres!.url });
    await client.connect();
    try {
      await client.query('DROP TABLE IF EXISTS coderunner_runs');
    } finally {
      await client.end();
    }
  },
);

// What only the shared store promises: several processes (API instances, workers) on one database.
describe('PgRunStore', () => {
  it('lets an API and a worker share one table, made once when both open at the same time', async () => {
    const [api, worker] = await Promise.all([PgRunStore.open(postgres!.url), PgRunStore.open(postgres!.url)]);
    try {
      const finished = runRecord('shared', 1, {
        state: 'finished',
        finishedAt: 2,
        result: runResult('shared'),
      });
      await worker.put(finished);
      // The API's own `queued` write arrives late: the worker's result stands.
      await api.put(runRecord('shared', 1));
      expect(await api.get('shared')).toEqual(finished);
      expect(await api.prune({ maxAgeMs: 10, maxRuns: 10 }, 5)).toBe(0);
    } finally {
      await Promise.all([api.close(), worker.close()]);
    }
    const reopened = await PgRunStore.open(postgres!.url);
    try {
      expect((await reopened.get('shared'))?.state).toBe('finished');
    } finally {
      await reopened.close();
    }
  });

  it('refuses to open a database it cannot reach, without quoting the password', async () => {
    const port = await freeLoopbackPort();
    const error = await PgRunStore.open(`postgres://coderunner:s3cret-pw@127.0.0.1:${port}/runs`).then(
      () => null,
      (err: Error) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toMatch(/ECONNREFUSED/);
    expect(error?.message).not.toContain('s3cret-pw');
  });
});
