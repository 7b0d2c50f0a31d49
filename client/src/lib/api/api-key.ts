/**
 * The API key the editor sends when the server requires one (API_KEYS): given once in the page address as
 * `?api_key=…`, then kept for the browser session so reloads keep working.
 */
const STORAGE_KEY = 'coderunner.apiKey';

/** The key from the page address (remembered for the session), else the remembered one, else null. */
export function apiKey(
  location: Pick<Location, 'search'> = window.location,
  storage: Pick<Storage, 'getItem' | 'setItem'> = window.sessionStorage,
): string | null {
  const fromUrl = new URLSearchParams(location.search).get('api_key');
  if (fromUrl) {
    storage.setItem(STORAGE_KEY, fromUrl);
    return fromUrl;
  }
  return storage.getItem(STORAGE_KEY);
}

/** Request headers carrying the key, if there is one. */
export function apiKeyHeaders(key: string | null): Record<string, string> {
  return key ? { 'x-api-key': key } : {};
}
