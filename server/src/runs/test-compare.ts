import type { Compare, TestDiff } from '@coderunner/protocol';
import { RE2JS } from 're2js';

/** How much of each side of a differing line a diff shows. */
const CLIP = 200;

/** The outcome of comparing a test's output with its expected output. */
export interface Comparison {
  equal: boolean;
  /** Where they first differ (wrong answers only). */
  diff?: TestDiff;
  /** Why the comparison could not be made (a bad regular expression). */
  message?: string;
}

const DEFAULT_TOLERANCE = 1e-6;

/** Lines without trailing whitespace, trailing blank lines dropped (the `trim` comparator's view). */
function trimmedLines(text: string): string[] {
  const lines = text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t\r\f\v]+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function tokens(text: string): string[] {
  return text.split(/\s+/).filter((t) => t !== '');
}

/** A window of `line` around `column` (1-based), at most CLIP characters. */
function clip(line: string, column: number): string {
  if (line.length <= CLIP) return line;
  const start = Math.max(0, Math.min(column - 1 - CLIP / 4, line.length - CLIP));
  return `${start > 0 ? '…' : ''}${line.slice(start, start + CLIP)}${start + CLIP < line.length ? '…' : ''}`;
}

/** The first line and column where two texts (as lists of lines) differ. */
function firstDifference(expected: string[], actual: string[]): TestDiff {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (e === a) continue;
    const el = e ?? '';
    const al = a ?? '';
    let c = 0;
    while (c < el.length && c < al.length && el[c] === al[c]) c++;
    return {
      line: i + 1,
      column: c + 1,
      expected: e === undefined ? '(end of output)' : clip(el, c + 1),
      actual: a === undefined ? '(end of output)' : clip(al, c + 1),
    };
  }
  return { line: n + 1, column: 1, expected: '', actual: '' };
}

/** Where the token lists first differ, located in the actual output's lines. */
function tokenDifference(expected: string, actual: string, index: number): TestDiff {
  const locate = (text: string) => {
    const lines = text.split('\n');
    let seen = 0;
    for (const [i, line] of lines.entries()) {
      const re = /\S+/g;
      for (let m = re.exec(line); m; m = re.exec(line)) {
        if (seen === index) return { line: i + 1, column: m.index + 1, text: line };
        seen++;
      }
    }
    return {
      line: lines.length,
      column: (lines[lines.length - 1] ?? '').length + 1,
      text: '(end of output)',
    };
  };
  const a = locate(actual);
  const e = locate(expected);
  return { line: a.line, column: a.column, expected: clip(e.text, e.column), actual: clip(a.text, a.column) };
}

function numbersClose(e: string, a: string, absolute: number, relative: number): boolean {
  if (e === a) return true;
  const x = Number(e);
  const y = Number(a);
  if (!Number.isFinite(x) || !Number.isFinite(y) || e.trim() === '' || a.trim() === '') return false;
  const d = Math.abs(x - y);
  return d <= absolute || d <= relative * Math.max(Math.abs(x), Math.abs(y));
}

/** Compares a test's output with its expected output under `compare` (default `trim`). */
export function compareOutput(actual: string, expected: string, compare: Compare = 'trim'): Comparison {
  const kind = typeof compare === 'string' ? compare : compare.type;
  switch (kind) {
    case 'exact': {
      if (actual === expected) return { equal: true };
      return { equal: false, diff: firstDifference(expected.split('\n'), actual.split('\n')) };
    }
    case 'trim': {
      const e = trimmedLines(expected);
      const a = trimmedLines(actual);
      if (e.length === a.length && e.every((line, i) => line === a[i])) return { equal: true };
      return { equal: false, diff: firstDifference(e, a) };
    }
    case 'tokens':
    case 'float': {
      const e = tokens(expected);
      const a = tokens(actual);
      const options: { absolute?: number; relative?: number } = typeof compare === 'object' ? compare : {};
      const absolute = options.absolute ?? DEFAULT_TOLERANCE;
      const relative = options.relative ?? DEFAULT_TOLERANCE;
      const same = (x: string, y: string) =>
        kind === 'tokens' ? x === y : numbersClose(x, y, absolute, relative);
      const n = Math.max(e.length, a.length);
      for (let i = 0; i < n; i++) {
        if (e[i] === undefined || a[i] === undefined || !same(e[i]!, a[i]!)) {
          return { equal: false, diff: tokenDifference(expected, actual, i) };
        }
      }
      return { equal: true };
    }
    case 'checker':
      // Decided by the request's checker program after the run (runs/checker.ts).
      return { equal: true };
    case 'regex': {
      // RE2 semantics (linear time): a teacher's pattern cannot make the server backtrack for ever.
      let re: RE2JS;
      try {
        re = RE2JS.compile(`(?:${expected})`, RE2JS.DOTALL);
      } catch (err) {
        return {
          equal: false,
          message: `expectedOutput is not a valid regular expression: ${(err as Error).message}`,
        };
      }
      const text = actual.endsWith('\n') ? actual.slice(0, -1) : actual;
      if (re.matches(text)) return { equal: true };
      return {
        equal: false,
        diff: { line: 1, column: 1, expected: clip(expected, 1), actual: clip(text.split('\n')[0] ?? '', 1) },
      };
    }
  }
}
