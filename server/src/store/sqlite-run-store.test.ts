// What every store does is in test/contract/run-store-contract.ts (run on SQLite in memory and in a file by
// test/contract/run-store.contract.test.ts); this file keeps what only the embedded store promises.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRecord as record } from '../../test/contract/run-store-contract.js';
import { SqliteRunStore } from './sqlite-run-store.js';

describe('SqliteRunStore', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('keeps its records across a restart, in a folder it makes itself', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-run-store-'));
    const file = join(dir, 'state', 'runs.sqlite');
    const failed = record('a', 1000, {
      state: 'failed',
      finishedAt: 2000,
      error: { code: 'X', message: 'y' },
    });
    const first = new SqliteRunStore(file);
    await first.put(record('a', 1000));
    await first.put(failed);
    await first.close();
    const second = new SqliteRunStore(file);
    expect(await second.get('a')).toEqual(failed);
    // The no-downgrade rule holds for records written before the restart too.
    await second.put(record('a', 1000, { state: 'running' }));
    expect(await second.get('a')).toEqual(failed);
    await second.close();
  });
});
