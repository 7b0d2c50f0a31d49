// Binary and malformed output: invalid UTF-8 sequences (stray continuation bytes, overlong forms, encoded
// surrogates, truncated sequences), every byte value, NUL bytes and random binary on stdout and stderr, and a
// multi-byte character split across the output cap. What must hold: the reply is still valid JSON with valid
// UTF-8 strings (invalid bytes become U+FFFD, never lone surrogates), valid text around them is kept, the
// program's status is what it earned (`ok`), and the server stays healthy.
import { describe, expect, it } from 'vitest';
import { attack, expectStatus, py, useSecurityServer, type Outcome } from './harness.js';

useSecurityServer();

/** True when the string is well-formed (no lone surrogate, which would not survive a UTF-8 round trip). */
function wellFormed(s: string): boolean {
  return Buffer.from(s, 'utf8').toString('utf8') === s;
}

/** The reply's bytes are strict UTF-8 (a fatal decoder throws on any invalid sequence). */
function expectStrictUtf8(outcome: Outcome): void {
  expect(() => new TextDecoder('utf-8', { fatal: true }).decode(outcome.raw)).not.toThrow();
}

describe('binary and invalid UTF-8 output', () => {
  it('turns invalid UTF-8 on stdout into replacement characters', async () => {
    const code = [
      'import sys',
      'w = sys.stdout.buffer.write',
      'w(b"start|\\xff\\xfe|\\xc3\\x28|\\xc0\\xaf|\\xed\\xa0\\x80|\\xe2\\x82|\\x80\\x80|end\\n")',
      'w("ok \\u00e9\\u4e2d\\U0001f600\\n".encode())',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      expectStrictUtf8(outcome);
      expect(wellFormed(run.stdout)).toBe(true);
      const [first, second] = run.stdout.split('\n');
      expect(first).toMatch(/^start\|\uFFFD+\|\uFFFD\(\|\uFFFD+\|\uFFFD+\|\uFFFD+\|\uFFFD+\|end$/);
      expect(second).toBe('ok \u00e9\u4e2d\u{1F600}');
    });
  });

  it('returns every byte value and NUL bytes on both streams as valid JSON', async () => {
    const code = [
      'import os, sys',
      'data = bytes(range(256)) * 64 + os.urandom(256 * 1024)',
      'sys.stdout.buffer.write(data)',
      'sys.stderr.buffer.write(b"\\x00\\x00\\xff" + data[:4096])',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'ok');
      expectStrictUtf8(outcome);
      expect(wellFormed(run.stdout)).toBe(true);
      expect(wellFormed(run.stderr)).toBe(true);
      // The ASCII run at the start survives byte for byte, NUL included.
      expect(run.stdout.slice(0, 128)).toBe(String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i)));
      expect(run.stderr.startsWith('\u0000\u0000\uFFFD')).toBe(true);
    });
  });

  it('cuts a multi-byte character at the output cap without breaking the reply', async () => {
    // 1 KiB cap; one byte of padding puts a 4-byte character across the cap.
    const code = 'import sys\nsys.stdout.write("a" + "\\U0001f600" * 2000)';
    await attack(py(code, { limits: { outputKb: 1 } }), (outcome) => {
      const run = expectStatus(outcome, 'output_limit');
      expectStrictUtf8(outcome);
      expect(wellFormed(run.stdout)).toBe(true);
      expect(Buffer.byteLength(run.stdout.replace(/\uFFFD$/, ''), 'utf8')).toBeLessThanOrEqual(1024);
      expect(run.stdout.startsWith('a\u{1F600}')).toBe(true);
    });
  });
});
