import { describe, expect, it } from 'vitest';
import { apiKey, apiKeyHeaders } from './api-key';

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
  };
}

describe('apiKey', () => {
  it('takes the key from the page address and remembers it for later pages of the session', () => {
    const storage = memoryStorage();
    expect(apiKey({ search: '' }, storage)).toBeNull();
    expect(apiKey({ search: '?api_key=k1' }, storage)).toBe('k1');
    expect(apiKey({ search: '' }, storage)).toBe('k1');
    expect(apiKeyHeaders('k1')).toEqual({ 'x-api-key': 'k1' });
    expect(apiKeyHeaders(null)).toEqual({});
  });
});
