import { describe, expect, it } from 'vitest';
import { timeoutSignal } from './timeout-signal.js';

describe('timeoutSignal', () => {
  it('aborts with a TimeoutError, also as the only holder-less source of AbortSignal.any', async () => {
    const composite = AbortSignal.any([new AbortController().signal, timeoutSignal(30)]);
    // Garbage collection in between must not lose the timer (it would with AbortSignal.timeout).
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise<void>((resolve) =>
      composite.addEventListener('abort', () => resolve(), { once: true }),
    );
    expect(composite.reason).toMatchObject({ name: 'TimeoutError' });
  });
});
