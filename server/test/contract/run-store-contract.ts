/**
 * The RunStore contract (src/store/run-store.ts), as cases every store must pass: one function defines them and
 * each store's file calls it (run-store.contract.test.ts: SQLite in memory and in a file, PostgreSQL on a real
 * server). A behaviour one store shows and another does not is a bug in one of them, whichever the callers meet
 * first: an API instance writing to PostgreSQL must see what a single process sees with SQLite.
 *
 * @example
 *   describeRunStoreContract('SQLite in memory', async () => new SqliteRunStore(':memory:'));
 */
import type { RunResponse } from '@coderunner/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord, RunStore, StoredRunState } from '../../src/store/run-store.js';

/** A queued record created at `createdAt`, changed by `extra`. */
export function runRecord(id: string, createdAt: number, extra: Partial<RunRecord> = {}): RunRecord {
  return {
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
  };
}

// Text a program may print: every plane, combining marks, right-to-left, a NUL (which PostgreSQL's jsonb cannot
// hold as such), a private-use character, a literal backslash-u sequence, quotes and control characters.
const AWKWARD_TEXT =
  'héllo wörld ✓ 日本語 🎉👩‍💻 e\u0301 שלום \u0000 nul, \uE000 private, \\u0000 literal, "quoted" \'single\' \t\r\n\u0007';

/** A finished run's result with every kind of field the API returns. */
export function runResult(id: string, stdout = 'hello\n'): RunResponse {
  return {
    id,
    language: 'python',
    version: '3.13.5',
    status: 'ok',
    compile: null,
    run: {
      exitCode: 0,
      signal: null,
      wallTimeMs: 12.5,
      cpuTimeMs: 0.30000000000000004,
      memoryKb: 10240,
      stdoutTruncated: false,
      stderrTruncated: true,
      stdout,
      stderr: '',
    },
    timings: { queueMs: 0, acquireMs: 1, executeMs: 12, totalMs: 13 },
    outputs: [{ name: 'out/plot.png', size: 3, mediaType: 'image/png', content: 'AAEC' }],
    outputsTruncated: false,
  };
}

const LIVE: readonly StoredRunState[] = ['queued', 'running'];
const TERMINAL: readonly StoredRunState[] = ['finished', 'failed', 'cancelled'];

/**
 * Registers the contract's cases. `open` gives a fresh, empty store for each case (the case closes it);
 * `cleanup` runs after each case, after the close, to remove what the store left (a file, a table).
 */
export function describeRunStoreContract(
  name: string,
  open: () => Promise<RunStore>,
  cleanup?: () => Promise<void>,
): void {
  describe(`RunStore contract: ${name}`, () => {
    let opened: RunStore[] = [];
    const fresh = async (): Promise<RunStore> => {
      const store = await open();
      opened.push(store);
      return store;
    };

    afterEach(async () => {
      await Promise.all(opened.map((store) => store.close()));
      opened = [];
      await cleanup?.();
    });

    it('gives a record back as it was put, result and all, unicode included', async () => {
      const store = await fresh();
      const finished = runRecord('run-1', 1_700_000_000_000, {
        state: 'finished',
        keyId: 'k-3f2a',
        finishedAt: 1_700_000_000_250,
        request: { files: 3, bytes: 4096, tests: 2 },
        result: runResult('run-1', AWKWARD_TEXT),
      });
      const failed = runRecord('run-2', 1_700_000_000_001, {
        state: 'failed',
        finishedAt: 1_700_000_000_002,
        error: { code: 'CR_ERR_SANDBOX_UNAVAILABLE', message: `no container: ${AWKWARD_TEXT}` },
      });
      await store.put(finished);
      await store.put(failed);
      expect(await store.get('run-1')).toEqual(finished);
      expect(await store.get('run-2')).toEqual(failed);
      const got = await store.get('run-1');
      expect(got?.result?.run?.stdout).toBe(AWKWARD_TEXT);
      expect(typeof got?.createdAt).toBe('number');
    });

    it('keeps nulls as nulls', async () => {
      const store = await fresh();
      const queued = runRecord('bare', 5);
      await store.put(queued);
      const got = await store.get('bare');
      expect(got).toEqual(queued);
      expect(got).toMatchObject({ keyId: null, finishedAt: null, result: null, error: null });
    });

    it('answers null for an id it never saw', async () => {
      const store = await fresh();
      expect(await store.get('no-such-run')).toBeNull();
      await store.put(runRecord('known', 1));
      expect(await store.get('Known')).toBeNull();
    });

    it('updates the state, finish time, result and error; keeps what was first written of the request', async () => {
      const store = await fresh();
      await store.put(runRecord('r', 1000, { keyId: 'k1' }));
      await store.put(runRecord('r', 1000, { keyId: 'k1', state: 'running' }));
      expect((await store.get('r'))?.state).toBe('running');
      const result = runResult('r');
      // A later write with other creation details changes only what a run's progress changes.
      await store.put(
        runRecord('r', 9999, {
          keyId: 'other',
          language: 'java',
          request: { files: 9, bytes: 9, tests: 9 },
          state: 'finished',
          finishedAt: 2000,
          result,
        }),
      );
      expect(await store.get('r')).toEqual(
        runRecord('r', 1000, { keyId: 'k1', state: 'finished', finishedAt: 2000, result }),
      );
    });

    it('never moves a finished, failed or cancelled run back to queued or running', async () => {
      const store = await fresh();
      for (const terminal of TERMINAL) {
        for (const live of LIVE) {
          const id = `${terminal}-then-${live}`;
          const ended = runRecord(id, 1, {
            state: terminal,
            finishedAt: 2,
            result: terminal === 'finished' ? runResult(id) : null,
            error: terminal === 'finished' ? null : { code: 'CR_ERR_X', message: terminal },
          });
          await store.put(ended);
          // An API's late `queued` (or a slow `running`) write arriving after the worker's last one.
          await store.put(runRecord(id, 1, { state: live }));
          expect(await store.get(id), id).toEqual(ended);
        }
      }
    });

    it('lets a later terminal write replace a terminal record', async () => {
      const store = await fresh();
      await store.put(runRecord('t', 1, { state: 'finished', finishedAt: 2, result: runResult('t') }));
      const cancelled = runRecord('t', 1, {
        state: 'cancelled',
        finishedAt: 3,
        error: { code: 'CR_ERR_RUN_CANCELLED', message: 'cancelled' },
      });
      await store.put(cancelled);
      expect(await store.get('t')).toEqual(cancelled);
      const failed = runRecord('t', 1, {
        state: 'failed',
        finishedAt: 4,
        error: { code: 'E', message: 'm' },
      });
      await store.put(failed);
      expect(await store.get('t')).toEqual(failed);
    });

    it('prunes runs older than the age limit and says how many went', async () => {
      const store = await fresh();
      for (let i = 0; i < 5; i++) await store.put(runRecord(`age${i}`, 1000 * i));
      // Older than 4000 - 2000 = 2000 goes: age0, age1; age2 (exactly at the limit) stays.
      expect(await store.prune({ maxAgeMs: 2000, maxRuns: 100 }, 4000)).toBe(2);
      expect(await store.get('age0')).toBeNull();
      expect(await store.get('age1')).toBeNull();
      expect(await store.get('age2')).not.toBeNull();
      expect(await store.prune({ maxAgeMs: 2000, maxRuns: 100 }, 4000)).toBe(0);
    });

    it('prunes the oldest runs beyond the count, after the age limit', async () => {
      const store = await fresh();
      // Put out of order, so insertion order cannot stand in for age.
      for (const i of [3, 9, 0, 5, 1, 8, 2, 7, 4, 6]) await store.put(runRecord(`n${i}`, 1000 * i));
      // Age: created before 9000 - 5000 = 4000 goes (n0..n3); count: of n4..n9 the newest 4 stay.
      expect(await store.prune({ maxAgeMs: 5000, maxRuns: 4 }, 9000)).toBe(6);
      const left: string[] = [];
      for (let i = 0; i < 10; i++) if (await store.get(`n${i}`)) left.push(`n${i}`);
      expect(left).toEqual(['n6', 'n7', 'n8', 'n9']);
      expect(await store.prune({ maxAgeMs: 5000, maxRuns: 4 }, 9000)).toBe(0);
    });

    it('breaks ties in creation time by id when pruning by count', async () => {
      const store = await fresh();
      for (const id of ['b', 'a', 'c']) await store.put(runRecord(id, 100));
      expect(await store.prune({ maxAgeMs: 1_000_000, maxRuns: 2 }, 200)).toBe(1);
      expect(await store.get('a')).toBeNull();
      expect(await store.get('b')).not.toBeNull();
      expect(await store.get('c')).not.toBeNull();
    });

    it('keeps every one of many records put at once', async () => {
      const store = await fresh();
      const records = Array.from({ length: 60 }, (_, i) =>
        runRecord(`c${i}`, i, {
          state: 'finished',
          finishedAt: i + 1,
          result: runResult(`c${i}`, `out ${i}`),
        }),
      );
      await Promise.all(records.map((r) => store.put(r)));
      const got = await Promise.all(records.map((r) => store.get(r.id)));
      expect(got).toEqual(records);
    });

    it('ends a run terminal whatever order its racing writes land in', async () => {
      const store = await fresh();
      const ids = Array.from({ length: 20 }, (_, i) => `race${i}`);
      await Promise.all(
        ids.map((id, i) => {
          const writes = [
            runRecord(id, 1),
            runRecord(id, 1, { state: 'running' }),
            runRecord(id, 1, { state: 'finished', finishedAt: 2, result: runResult(id) }),
          ];
          // A different order per run: the terminal write first, in the middle, or last.
          const order = [writes[i % 3]!, writes[(i + 1) % 3]!, writes[(i + 2) % 3]!];
          return Promise.all(order.map((w) => store.put(w)));
        }),
      );
      for (const id of ids) {
        expect(await store.get(id), id).toEqual(
          runRecord(id, 1, { state: 'finished', finishedAt: 2, result: runResult(id) }),
        );
      }
    });

    it('lets calls already made finish on close, then refuses more; a second close is harmless', async () => {
      const store = await fresh();
      const pending = store.put(runRecord('last', 1));
      await store.close();
      await expect(pending).resolves.toBeUndefined();
      await expect(store.close()).resolves.toBeUndefined();
      await expect(store.get('last')).rejects.toThrow();
      await expect(store.put(runRecord('late', 1))).rejects.toThrow();
      await expect(store.prune({ maxAgeMs: 1, maxRuns: 1 })).rejects.toThrow();
    });
  });
}
