/** The header that carries an API key on REST calls (`Authorization: Bearer` is accepted too). */
export const API_KEY_HEADER = 'X-API-Key';

/**
 * The error codes of a 401 that a caller can fix by giving (another) API key: missing, or not accepted. A client
 * asks its user for a key on exactly these.
 */
export const AUTH_ERROR_CODES = ['CR_ERR_AUTH_MISSING_KEY', 'CR_ERR_AUTH_INVALID_KEY'] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

/** True for the error codes in AUTH_ERROR_CODES. */
export function isAuthErrorCode(code: string): code is AuthErrorCode {
  return (AUTH_ERROR_CODES as readonly string[]).includes(code);
}

/** The query parameter of `GET /api/v1/runs/ws` that carries a ticket from `POST /api/v1/ws-tickets`. */
export const WS_TICKET_PARAM = 'ticket';
