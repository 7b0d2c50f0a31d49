/** Thrown by BoundedQueue.run when both the running slots and the waiting line are full. */
export class QueueFullError extends Error {
  constructor(readonly waiting: number) {
    super(`queue full (${waiting} waiting)`);
    this.name = 'QueueFullError';
  }
}

interface Waiter {
  start: () => void;
}

/**
 * Runs async tasks with at most `concurrency` at once and at most `maxWaiting` waiting; beyond that `run`
 * rejects at once with QueueFullError instead of letting callers hang. A waiting task whose signal aborts leaves
 * the line at once and `run` rejects with the signal's reason.
 *
 * @example
 *   const queue = new BoundedQueue(2, 10);
 *   const result = await queue.run(() => work(), AbortSignal.timeout(30000));
 */
export class BoundedQueue {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number = Number.POSITIVE_INFINITY,
  ) {}

  /** Number of tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Number of tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` when a slot is free; leaves the line when `signal` aborts first. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw signal.reason;
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw new QueueFullError(this.waiting.length);
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          start: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          const index = this.waiting.indexOf(waiter);
          if (index !== -1) this.waiting.splice(index, 1);
          reject(signal!.reason as unknown);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(waiter);
      });
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter so `active` never dips and lets a newcomer jump the line.
      if (next) next.start();
      else this.active--;
    }
  }
}
