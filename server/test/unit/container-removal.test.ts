// removeContainer() against a scripted stand-in for dockerode's Container (pure logic: which engine answers mean
// "gone", "wait", or "failed"). The real engine's side is covered by the hostile suite's fork bombs under gVisor,
// where a removal outlives one deadline and a second call meets the engine's 409.
import type Docker from 'dockerode';
import { describe, expect, it, vi } from 'vitest';
import { removeContainer } from '../../src/sandbox/container-removal.js';
import { SandboxError } from '../../src/sandbox/sandbox.js';

function engineError(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode });
}

/** A container whose remove() and inspect() answer from the given scripts, one answer per call. */
function scripted(removes: Array<Error | null>, inspects: Array<Error | null> = []) {
  const calls = { remove: 0, inspect: 0 };
  const answer = (script: Array<Error | null>, i: number) => {
    const a = script[Math.min(i, script.length - 1)];
    return a ? Promise.reject(a) : Promise.resolve({});
  };
  const container = {
    id: '0123456789abcdef',
    remove: () => answer(removes, calls.remove++),
    inspect: () => answer(inspects, calls.inspect++),
  } as unknown as Docker.Container;
  return { container, calls };
}

describe('removeContainer', () => {
  it('resolves when the engine removed it', async () => {
    const { container, calls } = scripted([null]);
    await removeContainer(container, 1000);
    expect(calls).toEqual({ remove: 1, inspect: 0 });
  });

  it('counts a container the engine no longer knows as removed', async () => {
    const { container } = scripted([engineError(404, 'no such container')]);
    await expect(removeContainer(container, 1000)).resolves.toBeUndefined();
  });

  it('waits for a removal already in progress (409) until the container is gone', async () => {
    const inProgress = engineError(409, 'removal of container 0123 is already in progress');
    const { container, calls } = scripted([inProgress], [null, null, engineError(404, 'no such container')]);
    await removeContainer(container, 1000);
    expect(calls).toEqual({ remove: 1, inspect: 3 });
  });

  it('gives up on a removal in progress that outlasts the deadline as unavailable (tried again by callers)', async () => {
    vi.useFakeTimers();
    try {
      const inProgress = engineError(409, 'removal of container 0123 is already in progress');
      const { container, calls } = scripted([inProgress], [null]);
      const outcome = removeContainer(container, 1).catch((e: unknown) => e);
      // removalTimeoutMs() never goes below a minute.
      await vi.advanceTimersByTimeAsync(59000);
      expect(calls.inspect).toBeGreaterThan(100);
      await vi.advanceTimersByTimeAsync(2000);
      const err = await outcome;
      expect(err).toBeInstanceOf(SandboxError);
      expect((err as SandboxError).reason).toBe('unavailable');
    } finally {
      vi.useRealTimers();
    }
  });

  it('passes any other engine error on', async () => {
    const { container } = scripted([engineError(500, 'driver failed')]);
    await expect(removeContainer(container, 1000)).rejects.toThrow('driver failed');
  });
});
