import { describe, expect, it } from 'vitest';
import type { RunRecord } from './run-store.js';
import { SqliteRunStore } from './sqlite-run-store.js';

const record = (id: string, createdAt: number, extra: Partial<RunRecord> = {}): RunRecord => ({
  id,
  state: 'queued',
  language: 'python',
  keyId: null,
  createdAt,
  finishedAt: null,
  request: { files: 1, bytes: 10, tests: 0 },
  result: null,
  error: null,
  ...extra,
});

describe('SqliteRunStore', () => {
  it('keeps a record through its states and gives it back as it was', async () => {
    const store = new SqliteRunStore(':memory:');
    await store.put(record('a', 1000));
    await store.put(
      record('a', 1000, { state: 'failed', finishedAt: 2000, error: { code: 'X', message: 'y' } }),
    );
    expect(await store.get('a')).toEqual(
      record('a', 1000, { state: 'failed', finishedAt: 2000, error: { code: 'X', message: 'y' } }),
    );
    expect(await store.get('nope')).toBeNull();
    await store.close();
  });

  it('prunes by age, then the oldest beyond the count', async () => {
    const store = new SqliteRunStore(':memory:');
    for (let i = 0; i < 10; i++) await store.put(record(`r${i}`, 1000 * i));
    // Age: created before 9000 - 5000 = 4000 goes (r0..r3); count: of r4..r9 keep the newest 4.
    expect(await store.prune({ maxAgeMs: 5000, maxRuns: 4 }, 9000)).toBe(6);
    const left = [];
    for (let i = 0; i < 10; i++) if (await store.get(`r${i}`)) left.push(i);
    expect(left).toEqual([6, 7, 8, 9]);
    await store.close();
  });
});
