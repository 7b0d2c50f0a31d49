// The API key the editor sends when the server requires one (API_KEYS). It is asked for once, when the server
// answers 401 (CR_ERR_AUTH_MISSING_KEY / CR_ERR_AUTH_INVALID_KEY), and kept where the user chose: in memory (this
// page only), in sessionStorage (until the tab closes) or in localStorage (remembered on this device). It only
// ever travels as the X-API-Key header of REST calls: never in a URL (WebSockets use tickets, see ws-ticket.ts).

/** Where a key is kept: this page only, this tab until it closes, or this browser until forgotten. */
export type KeyPersistence = 'memory' | 'session' | 'device';

/** Why the editor asks for a key. */
export interface KeyRequest {
  reason: 'missing' | 'invalid';
  /** The server's words. */
  message: string;
}

export interface KeyStoreSnapshot {
  /** The key sent with requests, or null. */
  key: string | null;
  persistence: KeyPersistence | null;
  /** Set while requests wait for the user to give a key (the prompt is shown). */
  request: KeyRequest | null;
}

export interface ApiKeyStore {
  /** The key to send now, or null. */
  get(): string | null;
  /** The current state; the same object until something changes (for useSyncExternalStore). */
  snapshot: () => KeyStoreSnapshot;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe: (listener: () => void) => () => void;
  /** Keeps `key` where chosen (and nowhere else), and hands it to every request waiting for one. */
  set(key: string, persistence: KeyPersistence): void;
  /** Drops the key from memory and from both storages. */
  forget(): void;
  /**
   * Asks the user for a key because the server refused `sentKey` (null: none was sent). Resolves with the key to
   * retry with, or null when the user declined or `signal` aborted. A refused key is forgotten; if the key changed
   * since `sentKey` was sent, resolves at once with the new one.
   */
  request(problem: KeyRequest, sentKey: string | null, signal?: AbortSignal): Promise<string | null>;
  /** The user closed the prompt without a key: waiting requests get null. */
  decline(): void;
}

/** The storage key under which sessionStorage / localStorage keep the API key. */
export const KEY_STORAGE_KEY = 'coderunner.apiKey';

type KeyStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Storage access that never throws (storage may be disabled, full or blocked by the browser). */
function safe(storage: KeyStorage | null) {
  return {
    get(): string | null {
      try {
        return storage?.getItem(KEY_STORAGE_KEY) ?? null;
      } catch {
        return null;
      }
    },
    set(value: string): boolean {
      try {
        storage?.setItem(KEY_STORAGE_KEY, value);
        return storage !== null;
      } catch {
        return false;
      }
    },
    remove(): void {
      try {
        storage?.removeItem(KEY_STORAGE_KEY);
      } catch {
        // nothing kept there, or nothing we can do
      }
    },
  };
}

/**
 * A key store over the given storages (null where a browser gives none). Reads a remembered key at once: the
 * tab's (sessionStorage) before the device's (localStorage).
 *
 * @example
 *   const keys = createKeyStore({ session: sessionStorage, local: localStorage });
 *   keys.set('k1', 'session');
 *   keys.get(); // 'k1'
 */
export function createKeyStore(storages: {
  session: KeyStorage | null;
  local: KeyStorage | null;
}): ApiKeyStore {
  const session = safe(storages.session);
  const local = safe(storages.local);
  const fromSession = session.get();
  const fromLocal = fromSession === null ? local.get() : null;
  let state: KeyStoreSnapshot = {
    key: fromSession ?? fromLocal,
    persistence: fromSession !== null ? 'session' : fromLocal !== null ? 'device' : null,
    request: null,
  };
  const listeners = new Set<() => void>();
  const waiters = new Set<(key: string | null) => void>();

  const update = (next: Partial<KeyStoreSnapshot>) => {
    state = { ...state, ...next };
    for (const listener of [...listeners]) listener();
  };
  const settle = (key: string | null) => {
    const pending = [...waiters];
    waiters.clear();
    for (const resolve of pending) resolve(key);
  };
  const forget = () => {
    session.remove();
    local.remove();
    update({ key: null, persistence: null });
  };

  return {
    get: () => state.key,
    snapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(key, persistence) {
      const trimmed = key.trim();
      if (trimmed === '') return;
      session.remove();
      local.remove();
      // A storage that refuses (full, disabled) leaves the key in memory: it still works until the page closes.
      const kept =
        persistence === 'session'
          ? session.set(trimmed)
          : persistence === 'device'
            ? local.set(trimmed)
            : true;
      update({ key: trimmed, persistence: kept ? persistence : 'memory', request: null });
      settle(trimmed);
    },
    forget,
    request(problem, sentKey, signal) {
      if (signal?.aborted) return Promise.resolve(null);
      if (state.key !== null && state.key !== sentKey) return Promise.resolve(state.key);
      if (sentKey !== null) forget();
      return new Promise((resolve) => {
        const waiter = (key: string | null) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(key);
        };
        const onAbort = () => {
          waiters.delete(waiter);
          // Nobody waits any more (the run was stopped): close the prompt.
          if (waiters.size === 0) update({ request: null });
          resolve(null);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.add(waiter);
        update({ request: problem });
      });
    },
    decline() {
      update({ request: null });
      settle(null);
    },
  };
}

/**
 * Takes a key given in the page address (`?api_key=…`, a teacher's link) into the store, kept for this tab, and
 * removes it from the address at once (history.replaceState), so it stays neither in the address bar nor in the
 * history. Returns true when there was one.
 */
export function takeKeyFromAddress(
  location: Pick<Location, 'href'>,
  history: Pick<History, 'replaceState' | 'state'>,
  keys: Pick<ApiKeyStore, 'set'>,
): boolean {
  const url = new URL(location.href);
  if (!url.searchParams.has('api_key')) return false;
  const key = url.searchParams.get('api_key') ?? '';
  url.searchParams.delete('api_key');
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
  if (key.trim() === '') return false;
  keys.set(key, 'session');
  return true;
}
