/**
 * A signal that aborts with a TimeoutError after `ms`, like AbortSignal.timeout, but held alive by its own timer.
 * Node's AbortSignal.timeout keeps only a weak reference to its signal, and one that is only a source of
 * AbortSignal.any() can be garbage-collected before it fires, so the composite never aborts (nodejs/node#57736;
 * seen here as a queue timeout that did not fire under load). The timer is unref'd: it never keeps the process up.
 *
 * @example
 *   const signal = AbortSignal.any([request.signal, timeoutSignal(5000)]);
 */
export function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    ms,
  );
  timer.unref();
  return controller.signal;
}
