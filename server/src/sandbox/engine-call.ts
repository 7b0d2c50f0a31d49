import { SandboxError } from './sandbox.js';

/**
 * How long a container removal may take. Removal never holds a request (it runs after the reply, or at
 * shutdown), and tearing down a sandbox after a fork storm can take a working engine well over the usual engine
 * deadline (gVisor, measured), so it gets the longer of a minute and the engine deadline.
 */
export function removalTimeoutMs(engineTimeoutMs: number): number {
  return Math.max(60000, engineTimeoutMs);
}

/** The message of an unknown thrown value. */
export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs one call to the container engine with a deadline: past `timeoutMs`, or when `outer` aborts, the call's own
 * AbortSignal fires (dockerode cancels its HTTP request) and the promise rejects with SandboxError('unavailable').
 * A hung engine therefore never holds a caller longer than the deadline. When the call still succeeds after it was
 * given up on, `onLate` receives the value (to remove a container created too late, say).
 *
 * @example
 *   const info = await engineCall('inspect', 5000, (signal) => container.inspect({ abortSignal: signal }));
 */
export function engineCall<T>(
  what: string,
  timeoutMs: number,
  call: (signal: AbortSignal) => Promise<T>,
  options: { outer?: AbortSignal; onLate?: (value: T) => void } = {},
): Promise<T> {
  const { outer, onLate } = options;
  if (outer?.aborted) return Promise.reject(abortedError(what, outer));
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const giveUp = (err: SandboxError) => {
      if (settled) return;
      settled = true;
      cleanup();
      controller.abort(err);
      reject(err);
    };
    const timer = setTimeout(
      () =>
        giveUp(new SandboxError(`the engine did not answer ${what} within ${timeoutMs} ms`, 'unavailable')),
      timeoutMs,
    );
    const onOuterAbort = () => giveUp(abortedError(what, outer!));
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    };
    call(controller.signal).then(
      (value) => {
        if (settled) {
          onLate?.(value);
          return;
        }
        settled = true;
        cleanup();
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        cleanup();
        reject(err);
      },
    );
  });
}

/** The error a call gets when its caller gave up: the abort reason when it is a SandboxError, else a cancellation. */
export function abortedError(what: string, signal: AbortSignal): SandboxError {
  const reason: unknown = signal.reason;
  if (reason instanceof SandboxError) return reason;
  return new SandboxError(`${what} was cancelled: ${describe(reason)}`, 'cancelled');
}
