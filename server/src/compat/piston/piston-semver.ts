/**
 * The part of semver Piston relies on: `semver.satisfies(runtime.version, selector)` in api/src/runtime.js
 * (get_runtimes_matching_language_version), for release versions (ours carry no pre-release tags).
 * Supported selectors: `*` / `x` / empty, exact and partial versions (`3`, `3.x`, `3.11`, `3.11.2`),
 * comparators (`>=`, `<=`, `>`, `<`, `=`), `^`, `~`, space-separated intersections and `||` unions.
 * Hyphen ranges (`1.2 - 2`) are not; an unparsable selector matches nothing, as semver's does.
 */

type Triple = readonly [number, number, number];

interface Bound {
  readonly op: '>=' | '<' | '<=' | '>' | '=';
  readonly v: Triple;
}

function compare(a: Triple, b: Triple): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/** `3`, `3.x`, `3.11.*`, `v3.11.2`: the numbers given (x, X and * end the list); null when malformed. */
function partial(text: string): number[] | null {
  const parts = text.replace(/^v/i, '').split('.');
  if (parts.length > 3) return null;
  const nums: number[] = [];
  for (const p of parts) {
    if (/^[xX*]$/.test(p)) break;
    if (!/^\d+$/.test(p)) return null;
    nums.push(Number(p));
  }
  return nums;
}

function fill(nums: number[]): Triple {
  return [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 0];
}

/** The next version above every version the partial covers (`3.11` → 3.12.0). */
function upper(nums: number[]): Triple {
  if (nums.length === 1) return [nums[0]! + 1, 0, 0];
  return [nums[0]!, nums[1]! + 1, 0];
}

function comparator(token: string): Bound[] | null {
  const m = /^(>=|<=|>|<|=|\^|~>?)?(.*)$/.exec(token);
  if (!m) return null;
  const op = m[1] ?? '';
  const nums = partial(m[2] ?? '');
  if (!nums) return null;
  if (nums.length === 0) return op === '<' || op === '>' ? [{ op: '<', v: [0, 0, 0] }] : [];
  const low = fill(nums);
  const full = nums.length === 3;
  switch (op) {
    case '':
    case '=':
      return full
        ? [{ op: '=', v: low }]
        : [
            { op: '>=', v: low },
            { op: '<', v: upper(nums) },
          ];
    case '>=':
      return [{ op: '>=', v: low }];
    case '<':
      return [{ op: '<', v: low }];
    case '>':
      return full ? [{ op: '>', v: low }] : [{ op: '>=', v: upper(nums) }];
    case '<=':
      return full ? [{ op: '<=', v: low }] : [{ op: '<', v: upper(nums) }];
    case '^': {
      // The left-most non-zero number may not change (semver's caret).
      const [a, b, c] = low;
      let top: Triple;
      if (a > 0 || nums.length === 1) top = [a + 1, 0, 0];
      else if (b > 0 || nums.length === 2) top = [0, b + 1, 0];
      else top = [0, 0, c + 1];
      return [
        { op: '>=', v: low },
        { op: '<', v: top },
      ];
    }
    default: {
      // ~ and ~>: patch changes when a minor is given, else minor changes.
      const top: Triple = nums.length === 1 ? [low[0] + 1, 0, 0] : [low[0], low[1] + 1, 0];
      return [
        { op: '>=', v: low },
        { op: '<', v: top },
      ];
    }
  }
}

function holds(bound: Bound, v: Triple): boolean {
  const c = compare(v, bound.v);
  if (bound.op === '=') return c === 0;
  if (bound.op === '>=') return c >= 0;
  if (bound.op === '>') return c > 0;
  if (bound.op === '<=') return c <= 0;
  return c < 0;
}

/** The runtime version as Piston would parse it: three release numbers ("8.16" → "8.16.0", "6.12.0.199" → "6.12.0"). */
export function pistonVersion(version: string): string {
  const nums = (version.match(/\d+/g) ?? []).slice(0, 3).map(Number);
  return fill(nums).join('.');
}

/** True when `version` (x.y.z) satisfies the selector, as `semver.satisfies` would for a release version. */
export function satisfies(version: string, selector: string): boolean {
  const v = fill(version.split('.').map(Number));
  return selector.split('||').some((set) => {
    const tokens = set
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~>?)\s+/g, '$1')
      .split(/\s+/)
      .filter((t) => t !== '');
    const bounds: Bound[] = [];
    for (const token of tokens) {
      const b = comparator(token);
      if (!b) return false;
      bounds.push(...b);
    }
    return bounds.every((b) => holds(b, v));
  });
}
