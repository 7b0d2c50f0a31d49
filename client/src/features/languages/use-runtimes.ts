import { useCallback, useEffect, useState } from 'react';
import { fetchRuntimes, type Runtime } from '../../lib/api/runtimes';

export type RuntimesState =
  { status: 'loading' } | { status: 'ready'; runtimes: Runtime[] } | { status: 'failed'; message: string };

/** Loads the server's languages once; `retry` loads them again after a failure. */
export function useRuntimes(): { state: RuntimesState; retry: () => void } {
  const [state, setState] = useState<RuntimesState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    fetchRuntimes(controller.signal).then(
      (runtimes) => setState({ status: 'ready', runtimes }),
      (err: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'failed', message: (err as Error).message });
      },
    );
    return () => controller.abort();
  }, [attempt]);
  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);
  return { state, retry };
}
