import { useSyncExternalStore } from 'react';
import type { ApiKeyStore, KeyStoreSnapshot } from '../../lib/api/api-key';

/** The key store's state, re-rendering on every change. */
export function useKeyStore(keys: ApiKeyStore): KeyStoreSnapshot {
  return useSyncExternalStore(keys.subscribe, keys.snapshot);
}
