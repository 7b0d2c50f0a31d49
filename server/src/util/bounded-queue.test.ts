import { describe, expect, it } from 'vitest';
import { BoundedQueue, QueueFullError } from './bounded-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('BoundedQueue', () => {
  it('runs at most `concurrency` tasks at once and starts waiters in order', async () => {
    const queue = new BoundedQueue(2, 10);
    const gates = [deferred(), deferred(), deferred()];
    const order: number[] = [];
    const tasks = gates.map((g, i) =>
      queue.run(async () => {
        order.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(queue.running).toBe(2);
    expect(queue.queued).toBe(1);
    expect(order).toEqual([0, 1]);
    gates[0]!.resolve();
    await tasks[0];
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual([0, 1, 2]);
    gates[1]!.resolve();
    gates[2]!.resolve();
    expect(await Promise.all(tasks)).toEqual([0, 1, 2]);
    expect(queue.running).toBe(0);
  });

  it('rejects at once when the waiting line is full', async () => {
    const queue = new BoundedQueue(1, 1);
    const gate = deferred();
    const first = queue.run(() => gate.promise);
    const second = queue.run(async () => 'second');
    await expect(queue.run(async () => 'third')).rejects.toBeInstanceOf(QueueFullError);
    gate.resolve();
    await first;
    expect(await second).toBe('second');
  });

  it('frees the slot when a task throws', async () => {
    const queue = new BoundedQueue(1, 0);
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(async () => 'next')).toBe('next');
  });

  it('drops a waiting task whose signal aborts, and keeps the line moving', async () => {
    const queue = new BoundedQueue(1, 5);
    const gate = deferred();
    const first = queue.run(() => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const dropped = queue.run(async () => {
      ran = true;
    }, controller.signal);
    const third = queue.run(async () => 'third');
    expect(queue.queued).toBe(2);
    controller.abort(new Error('client gone'));
    await expect(dropped).rejects.toThrow('client gone');
    expect(queue.queued).toBe(1);
    gate.resolve();
    await first;
    expect(await third).toBe('third');
    expect(ran).toBe(false);
    expect(queue.running).toBe(0);
    await expect(queue.run(async () => 1, controller.signal)).rejects.toThrow('client gone');
  });
});
