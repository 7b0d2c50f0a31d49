// Runs after every test file (vitest setupFiles; after-hooks run in reverse, so this one runs last): each
// server the file started must be closed, and closing must have removed every container it created.
import { afterAll, expect } from 'vitest';
import { collectLeaks } from './helpers.js';

afterAll(async () => {
  expect(await collectLeaks()).toEqual([]);
});
