/**
 * Counts events per key in fixed time windows: `take` allows `max` per window and answers how long to wait
 * (ms) once they are used up. Keys of past windows are forgotten as new windows start, so memory stays bounded
 * by the keys seen within one window.
 *
 * @example
 *   const limiter = new FixedWindowLimiter(600, 60000);
 *   if (limiter.take('ip:127.0.0.1') > 0) refuse();
 */
export class FixedWindowLimiter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private counts = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one event for `key`; returns 0 when allowed, else the ms until the window ends. */
  take(key: string): number {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.counts = new Map();
    }
    const used = this.counts.get(key) ?? 0;
    if (used >= this.max) return this.windowStart + this.windowMs - now;
    this.counts.set(key, used + 1);
    return 0;
  }
}
