import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_CODES, isAuthErrorCode } from './auth.js';

describe('auth error codes', () => {
  it('knows the 401 codes a key fixes, and no others', () => {
    expect(AUTH_ERROR_CODES).toEqual(['CR_ERR_AUTH_MISSING_KEY', 'CR_ERR_AUTH_INVALID_KEY']);
    expect(isAuthErrorCode('CR_ERR_AUTH_INVALID_KEY')).toBe(true);
    expect(isAuthErrorCode('CR_ERR_AUTH_KEY_IN_URL')).toBe(false);
    expect(isAuthErrorCode('CR_ERR_AUTH_INVALID_TICKET')).toBe(false);
  });
});
