import { describe, expect, it } from 'vitest';
import { FixedWindowLimiter } from './fixed-window-limiter.js';

describe('FixedWindowLimiter', () => {
  it('allows max per window per key, tells how long to wait, and starts afresh in the next window', () => {
    let now = 1000;
    const limiter = new FixedWindowLimiter(2, 60000, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('b')]).toEqual([0, 0, 0]);
    now += 10000;
    expect(limiter.take('a')).toBe(50000);
    now += 50000;
    expect(limiter.take('a')).toBe(0);
  });
});
