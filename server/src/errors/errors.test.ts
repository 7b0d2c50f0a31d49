import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CodeRunnerError, createError, ERRORS } from './errors.js';

describe('error registry', () => {
  it('fills message templates in order', () => {
    const err = createError('CR_ERR_RUN_UNKNOWN_VERSION', ['2.7', 'python', '3.13.5']);
    expect(err).toBeInstanceOf(CodeRunnerError);
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe('Version "2.7" of python is not available; installed: 3.13.5');
  });

  it('uses codes of the form CR_ERR_<AREA>_<PROBLEM> with 4xx/5xx statuses', () => {
    for (const [code, entry] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^CR_ERR_[A-Z]+_[A-Z_]+$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('is documented code by code in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `(CR_ERR_[A-Z_]+)` \| (\d+) \|/gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(documented.sort()).toEqual(
      Object.entries(ERRORS)
        .map(([code, e]) => `${code} ${e.status}`)
        .sort(),
    );
  });
});
