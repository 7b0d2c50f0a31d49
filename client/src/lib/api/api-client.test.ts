import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fakeFetch, headersOf } from '../../testing/fake-fetch';
import { ApiError, createApiClient, errorMessage } from './api-client';
import { createKeyStore } from './api-key';
import { fetchRuntimes } from './runtimes';

const python = {
  language: 'python',
  displayName: 'Python',
  version: '3.13.5',
  aliases: ['py'],
  extensions: ['py'],
  compiled: false,
  extraArgs: [],
  libraries: [],
};
const missing = { status: 401, body: { code: 'CR_ERR_AUTH_MISSING_KEY', message: 'needs a key' } };
const invalid = {
  status: 401,
  body: { code: 'CR_ERR_AUTH_INVALID_KEY', message: 'The API key is not valid' },
};

const setup = (...replies: Parameters<typeof fakeFetch>[0]) => {
  const keys = createKeyStore({ session: null, local: null });
  const { fetch, calls } = fakeFetch(replies);
  return { keys, calls, api: createApiClient({ keys, fetch }) };
};

/** Resolves once the store shows the prompt (a request waits for a key). */
const promptShown = (keys: ReturnType<typeof createKeyStore>) =>
  new Promise<void>((resolve) => {
    if (keys.snapshot().request) resolve();
    const stop = keys.subscribe(() => {
      if (keys.snapshot().request) {
        stop();
        resolve();
      }
    });
  });

describe('the API client', () => {
  it('sends the key as the X-API-Key header, and none when there is no key', async () => {
    const { keys, calls, api } = setup({ status: 200, body: [python] });
    expect(await fetchRuntimes(api)).toEqual([python]);
    expect(headersOf(calls[0])).not.toHaveProperty('x-api-key');
    keys.set('k1', 'memory');
    await fetchRuntimes(api);
    expect(headersOf(calls[1])['x-api-key']).toBe('k1');
    expect(calls.every((c) => c.url === '/api/v1/runtimes' && !c.url.includes('k1'))).toBe(true);
  });

  it('asks for a key on a 401 that a key fixes, then repeats the request with it', async () => {
    const { keys, calls, api } = setup(missing, { status: 200, body: [python] });
    const loading = fetchRuntimes(api);
    await promptShown(keys);
    expect(keys.snapshot().request).toEqual({ reason: 'missing', message: 'needs a key' });
    keys.set('k1', 'memory');
    expect(await loading).toEqual([python]);
    expect(calls).toHaveLength(2);
    expect(headersOf(calls[1])['x-api-key']).toBe('k1');
  });

  it('forgets a refused key and, when the user declines, fails with the server error', async () => {
    const { keys, calls, api } = setup(invalid);
    keys.set('wrong', 'memory');
    const loading = fetchRuntimes(api);
    await promptShown(keys);
    expect(keys.snapshot()).toMatchObject({ key: null, request: { reason: 'invalid' } });
    keys.decline();
    const err: unknown = await loading.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: 'CR_ERR_AUTH_INVALID_KEY' });
    expect(errorMessage(err)).toBe('the server did not accept the API key');
    expect(calls).toHaveLength(1);
  });

  it('gives up after a few refused keys instead of asking for ever', async () => {
    const { keys, calls, api } = setup(invalid);
    const stop = keys.subscribe(() => {
      if (keys.snapshot().request) queueMicrotask(() => keys.set(`try-${calls.length}`, 'memory'));
    });
    await expect(fetchRuntimes(api)).rejects.toMatchObject({ code: 'CR_ERR_AUTH_INVALID_KEY' });
    stop();
    expect(calls.length).toBe(6);
  });

  it('turns other error replies into ApiError with the server words, or a plain one when unreadable', async () => {
    const limited = setup({
      status: 429,
      body: { code: 'CR_ERR_HTTP_RATE_LIMITED', message: 'Too many requests' },
    });
    await expect(fetchRuntimes(limited.api)).rejects.toMatchObject({
      status: 429,
      code: 'CR_ERR_HTTP_RATE_LIMITED',
      message: 'Too many requests',
    });
    expect(limited.keys.snapshot().request).toBeNull();
    const html = setup({ status: 502, body: '<html>bad gateway</html>' });
    await expect(fetchRuntimes(html.api)).rejects.toMatchObject({ status: 502, code: 'http_502' });
    const unauthorizedOther = setup({ status: 401, body: { code: 'CR_ERR_SOMETHING_ELSE', message: 'no' } });
    await expect(fetchRuntimes(unauthorizedOther.api)).rejects.toMatchObject({
      code: 'CR_ERR_SOMETHING_ELSE',
    });
    expect(unauthorizedOther.keys.snapshot().request).toBeNull();
  });

  it('refuses a reply that does not match the protocol schema', async () => {
    const { api } = setup({ status: 200, body: [{ ...python, compiled: 'no' }] });
    await expect(fetchRuntimes(api)).rejects.toMatchObject({ code: 'bad_reply' });
    const list = setup({ status: 200, body: { runtimes: [python] } });
    await expect(list.api.get('/x', z.array(z.unknown()))).rejects.toBeInstanceOf(ApiError);
  });

  it('sends a JSON body with its content type only when there is one', async () => {
    const { calls, api } = setup({ status: 200, body: {} });
    await api.post('/a', { x: 1 }, z.object({}));
    await api.post('/b', undefined, z.object({}));
    expect(calls[0]).toMatchObject({ method: 'POST', body: '{"x":1}' });
    expect(headersOf(calls[0])['content-type']).toBe('application/json');
    expect(calls[1]?.body).toBeNull();
    expect(headersOf(calls[1])).not.toHaveProperty('content-type');
  });
});
