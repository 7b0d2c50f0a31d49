import type Docker from 'dockerode';
import { engineCall, removalTimeoutMs } from './engine-call.js';
import { SandboxError } from './sandbox.js';

/** How often a removal that the engine already has in progress is checked on. */
const IN_PROGRESS_POLL_MS = 250;

/**
 * Removes a container (forced, with its anonymous volumes) and resolves once the engine no longer knows it.
 *
 * A container that is already gone counts as removed. When the engine answers 409 because a removal of this
 * container is already under way (an earlier call of ours that timed out and was abandoned by the client, while the
 * engine went on: a gVisor sandbox after a fork storm, measured at over a minute on 2 cores), this waits for that
 * removal to finish instead of reporting success or failure early. The wait is bounded like the call itself; past it
 * the promise rejects with SandboxError('unavailable'), which callers treat as "try again".
 */
export async function removeContainer(container: Docker.Container, engineTimeoutMs: number): Promise<void> {
  const timeoutMs = removalTimeoutMs(engineTimeoutMs);
  try {
    await engineCall('remove', timeoutMs, (abortSignal) =>
      container.remove({ force: true, v: true, abortSignal }),
    );
    return;
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) return;
    if (status !== 409) throw err;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, IN_PROGRESS_POLL_MS));
    try {
      await engineCall('inspect', Math.max(1, deadline - Date.now()), (abortSignal) =>
        container.inspect({ abortSignal }),
      );
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      if (!(err instanceof SandboxError)) throw err;
    }
  }
  throw new SandboxError(
    `the engine's removal of container ${container.id.slice(0, 12)} did not finish within ${timeoutMs} ms`,
    'unavailable',
  );
}
