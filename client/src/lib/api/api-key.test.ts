import { describe, expect, it } from 'vitest';
import { createKeyStore, KEY_STORAGE_KEY, takeKeyFromAddress } from './api-key';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map<string, string>(Object.entries(initial));
  return {
    items,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
  };
}

const stores = (session: Record<string, string> = {}, local: Record<string, string> = {}) => {
  const s = memoryStorage(session);
  const l = memoryStorage(local);
  return { session: s, local: l, keys: createKeyStore({ session: s, local: l }) };
};

describe('the API key store', () => {
  it('keeps a key only where the user chose, and forgets it everywhere', () => {
    const { session, local, keys } = stores();
    expect(keys.get()).toBeNull();
    keys.set(' k1 ', 'memory');
    expect(keys.get()).toBe('k1');
    expect(session.items.size + local.items.size).toBe(0);
    keys.set('k2', 'session');
    expect(session.items.get(KEY_STORAGE_KEY)).toBe('k2');
    expect(local.items.size).toBe(0);
    keys.set('k3', 'device');
    expect(local.items.get(KEY_STORAGE_KEY)).toBe('k3');
    expect(session.items.size).toBe(0);
    expect(keys.snapshot()).toMatchObject({ key: 'k3', persistence: 'device' });
    keys.forget();
    expect(keys.get()).toBeNull();
    expect(session.items.size + local.items.size).toBe(0);
  });

  it('reads a remembered key at start, the tab one before the device one', () => {
    expect(
      stores({ [KEY_STORAGE_KEY]: 'tab' }, { [KEY_STORAGE_KEY]: 'device' }).keys.snapshot(),
    ).toMatchObject({
      key: 'tab',
      persistence: 'session',
    });
    expect(stores({}, { [KEY_STORAGE_KEY]: 'device' }).keys.snapshot()).toMatchObject({
      key: 'device',
      persistence: 'device',
    });
  });

  it('keeps the key in memory when the chosen storage refuses it, and works without any storage', () => {
    const refusing = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    const keys = createKeyStore({ session: refusing, local: null });
    keys.set('k', 'session');
    expect(keys.snapshot()).toMatchObject({ key: 'k', persistence: 'memory' });
    keys.set('k2', 'device');
    expect(keys.snapshot()).toMatchObject({ key: 'k2', persistence: 'memory' });
  });

  it('tells subscribers about changes, with a snapshot that only changes when the state does', () => {
    const { keys } = stores();
    let calls = 0;
    const unsubscribe = keys.subscribe(() => calls++);
    const before = keys.snapshot();
    expect(keys.snapshot()).toBe(before);
    keys.set('k', 'memory');
    expect(calls).toBe(1);
    expect(keys.snapshot()).not.toBe(before);
    unsubscribe();
    keys.forget();
    expect(calls).toBe(1);
  });

  it('makes requests wait for the prompt: a key given resolves them all and closes the prompt', async () => {
    const { keys } = stores();
    const first = keys.request({ reason: 'missing', message: 'needs a key' }, null);
    const second = keys.request({ reason: 'missing', message: 'needs a key' }, null);
    expect(keys.snapshot().request).toEqual({ reason: 'missing', message: 'needs a key' });
    keys.set('k', 'memory');
    expect(await first).toBe('k');
    expect(await second).toBe('k');
    expect(keys.snapshot().request).toBeNull();
  });

  it('forgets a refused key, and resolves null when the user declines', async () => {
    const { session, keys } = stores({ [KEY_STORAGE_KEY]: 'old' });
    const waiting = keys.request({ reason: 'invalid', message: 'not valid' }, 'old');
    expect(keys.get()).toBeNull();
    expect(session.items.size).toBe(0);
    keys.decline();
    expect(await waiting).toBeNull();
    expect(keys.snapshot().request).toBeNull();
  });

  it('answers at once with the new key when the key changed since the refused request was sent', async () => {
    const { keys } = stores();
    keys.set('new', 'memory');
    expect(await keys.request({ reason: 'invalid', message: 'x' }, 'old')).toBe('new');
    expect(keys.get()).toBe('new');
    expect(keys.snapshot().request).toBeNull();
  });

  it('stops waiting when the request is aborted, closing the prompt once nobody waits', async () => {
    const { keys } = stores();
    const controller = new AbortController();
    const waiting = keys.request({ reason: 'missing', message: 'x' }, null, controller.signal);
    controller.abort();
    expect(await waiting).toBeNull();
    expect(keys.snapshot().request).toBeNull();
    expect(await keys.request({ reason: 'missing', message: 'x' }, null, controller.signal)).toBeNull();
  });
});

describe('takeKeyFromAddress', () => {
  const history = () => {
    const urls: string[] = [];
    return {
      urls,
      state: { n: 1 },
      replaceState: (_state: unknown, _title: string, url?: string | URL | null) =>
        void urls.push(String(url)),
    };
  };

  it('takes ?api_key= into the store for this tab and removes it from the address at once', () => {
    const { session, keys } = stores();
    const h = history();
    expect(takeKeyFromAddress({ href: 'http://host/editor/?lang=c&api_key=s3cret#top' }, h, keys)).toBe(true);
    expect(h.urls).toEqual(['/editor/?lang=c#top']);
    expect(keys.snapshot()).toMatchObject({ key: 's3cret', persistence: 'session' });
    expect(session.items.get(KEY_STORAGE_KEY)).toBe('s3cret');
  });

  it('leaves an address without a key alone, and drops an empty key from the address', () => {
    const { keys } = stores();
    const h = history();
    expect(takeKeyFromAddress({ href: 'http://host/?x=1' }, h, keys)).toBe(false);
    expect(h.urls).toEqual([]);
    expect(takeKeyFromAddress({ href: 'http://host/?api_key=' }, h, keys)).toBe(false);
    expect(h.urls).toEqual(['/']);
    expect(keys.get()).toBeNull();
  });
});
