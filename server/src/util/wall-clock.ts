/**
 * Unix time in milliseconds with sub-millisecond resolution: the process's start on the wall clock plus the
 * monotonic time since. Stamps compared across processes on one host (a run queued by an API process and taken
 * by a worker) need it: `Date.now()` would round a hop of a fraction of a millisecond to 0 or 1. Two processes'
 * readings agree as well as their starts read the same wall clock, to well under a millisecond on one host.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
