import type { RuntimeInfo } from '@coderunner/protocol';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage, type ApiClient } from '../../lib/api/api-client';
import { fetchRuntimes } from '../../lib/api/runtimes';

export type RuntimesState =
  | { status: 'loading' }
  | { status: 'ready'; runtimes: RuntimeInfo[] }
  | { status: 'failed'; message: string };

/** Loads the server's languages once; `retry` loads them again after a failure. */
export function useRuntimes(api: ApiClient): { state: RuntimesState; retry: () => void } {
  const [state, setState] = useState<RuntimesState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    fetchRuntimes(api, controller.signal).then(
      (runtimes) => setState({ status: 'ready', runtimes }),
      (err: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'failed', message: errorMessage(err) });
      },
    );
    return () => controller.abort();
  }, [api, attempt]);
  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);
  return { state, retry };
}
