/**
 * The error registry: every error the API can return, with its code, HTTP status and message template.
 * Codes are never reused once retired. docs/errors.md lists them all; errors.test.ts keeps the two in step.
 *
 * @example
 *   throw createError('CR_ERR_RUN_UNKNOWN_LANGUAGE', 'cobol');
 */
export const ERRORS = {
  CR_ERR_HTTP_INVALID_JSON: { status: 400, message: 'The request body is not valid JSON: %s' },
  CR_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Content-Type %s is not supported; send application/json',
  },
  CR_ERR_HTTP_BODY_TOO_LARGE: { status: 413, message: 'The request body is larger than the %s byte limit' },
  CR_ERR_HTTP_NOT_FOUND: { status: 404, message: 'No route %s' },
  CR_ERR_HTTP_UPGRADE_REQUIRED: {
    status: 426,
    message: 'This endpoint speaks WebSocket only: connect with an Upgrade: websocket request',
  },
  CR_ERR_HTTP_RATE_LIMITED: { status: 429, message: 'Too many requests: %s' },
  CR_ERR_AUTH_MISSING_KEY: {
    status: 401,
    message:
      'This server requires an API key: send Authorization: Bearer <key> or X-API-Key; a browser WebSocket adds ?ticket= from POST /api/v1/ws-tickets',
  },
  CR_ERR_AUTH_INVALID_KEY: { status: 401, message: 'The API key is not valid' },
  CR_ERR_AUTH_KEY_IN_URL: {
    status: 401,
    message:
      'API keys are not accepted in the URL (?%s=), where logs and browser history keep them: send Authorization: Bearer <key> or X-API-Key; a browser WebSocket adds ?ticket= from POST /api/v1/ws-tickets',
  },
  CR_ERR_AUTH_INVALID_TICKET: {
    status: 401,
    message:
      'The WebSocket ticket is unknown, expired or already used: get a new one from POST /api/v1/ws-tickets',
  },
  CR_ERR_RUN_INVALID_REQUEST: { status: 400, message: 'Invalid run request: %s' },
  CR_ERR_RUN_UNKNOWN_LANGUAGE: {
    status: 400,
    message: 'Unknown language "%s"; GET /api/v1/runtimes lists the available ones',
  },
  CR_ERR_RUN_UNKNOWN_VERSION: { status: 400, message: 'Version "%s" of %s is not available; installed: %s' },
  CR_ERR_RUN_EXTRA_ARGS_UNSUPPORTED: {
    status: 400,
    message:
      '%s is not accepted for %s: only runtimes whose command has a place for it take it (GET /api/v1/runtimes: extraArgs)',
  },
  CR_ERR_RUN_BAD_FILE_NAME: { status: 400, message: 'files[%s].name %s' },
  CR_ERR_RUN_BAD_TEST_FILE: { status: 400, message: 'tests[%s].files[%s]: %s' },
  CR_ERR_RUN_CHECKER_MISSING: {
    status: 400,
    message: 'A test compares with "checker", but the request has no checker: { language, files }',
  },
  CR_ERR_RUN_BAD_CHECKER: { status: 400, message: 'checker: %s' },
  CR_ERR_RUN_NOT_FOUND: { status: 404, message: 'No run %s is recorded here (it may have been pruned)' },
  CR_ERR_RUN_STORE_DISABLED: {
    status: 400,
    message: 'This server keeps no run store (RUN_STORE=none): runs can only be waited for',
  },
  CR_ERR_RUN_BAD_WAIT: { status: 400, message: 'wait must be "true" or "false", got "%s"' },
  CR_ERR_RUN_BAD_CALLBACK_URL: { status: 400, message: 'callbackUrl %s' },
  CR_ERR_RUN_WEBHOOKS_DISABLED: {
    status: 400,
    message: 'This server sends no webhooks (WEBHOOK_SECRET is not set): callbackUrl is not accepted',
  },
  CR_ERR_BATCH_BAD_BODY: { status: 400, message: 'A batch is { "runs": [run requests] }: %s' },
  CR_ERR_BATCH_EMPTY: { status: 400, message: 'A batch needs at least one run: "runs" is empty' },
  CR_ERR_BATCH_TOO_LARGE: {
    status: 400,
    message: 'A batch holds at most %s runs (RUN_BATCH_MAX); this one has %s',
  },
  CR_ERR_RUN_DUPLICATE_FILE: { status: 400, message: 'files[%s].name "%s" appears more than once' },
  CR_ERR_RUN_NO_ENTRY: {
    status: 400,
    message: 'With several files, exactly one must have "toBeExec": true; none has',
  },
  CR_ERR_RUN_MANY_ENTRIES: {
    status: 400,
    message: 'With several files, exactly one must have "toBeExec": true; these have: %s',
  },
  CR_ERR_RUN_BAD_CONTENT: { status: 400, message: 'files[%s].content is not valid %s' },
  CR_ERR_RUN_CANCELLED: { status: 400, message: 'The run was cancelled: %s' },
  CR_ERR_WS_INVALID_MESSAGE: { status: 400, message: 'Invalid WebSocket message: %s' },
  CR_ERR_RUN_QUEUE_TIMEOUT: {
    status: 503,
    message: 'The run waited %s ms in the queue without a free slot; retry shortly',
  },
  CR_ERR_WS_TOO_MUCH_EARLY_INPUT: {
    status: 413,
    message: 'Too much sent before the run started: %s',
  },
  CR_ERR_RUN_QUEUE_FULL: { status: 429, message: 'The run queue is full (%s waiting); retry shortly' },
  CR_ERR_RUN_KEY_BUSY: {
    status: 429,
    message: 'This API key already has %s runs queued or running (RUN_MAX_PER_KEY); retry when one ends',
  },
  CR_ERR_RUN_NO_WORKER: {
    status: 503,
    message: 'No live worker serves %s right now; retry shortly',
  },
  CR_ERR_QUEUE_UNAVAILABLE: { status: 503, message: 'The run queue (Redis) does not answer: %s' },
  CR_ERR_RUNTIME_UNAVAILABLE: {
    status: 503,
    message: 'The %s runtime is not available on this server: %s',
  },
  CR_ERR_SANDBOX_UNAVAILABLE: { status: 503, message: 'No sandbox could be started: %s' },
  CR_ERR_SERVER_SHUTTING_DOWN: {
    status: 503,
    message: 'The server is shutting down; retry on another instance',
  },
  CR_ERR_SERVER_INTERNAL: { status: 500, message: 'Internal server error' },
} as const satisfies Record<string, { status: number; message: string }>;

/** Every error code the API can return. */
export type ErrorCode = keyof typeof ERRORS;

/** An API error: a registered code, its HTTP status and a message naming what is wrong. */
export class CodeRunnerError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Extra response headers, such as Retry-After on a 429. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'CodeRunnerError';
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.headers = headers;
  }
}

/** Builds a CodeRunnerError from the registry, filling the message template's %s slots in order. */
export function createError(
  code: ErrorCode,
  args: ReadonlyArray<string | number> | string | number = [],
  headers: Record<string, string> = {},
): CodeRunnerError {
  const values: Array<string | number> = typeof args === 'object' ? [...args] : [args];
  let i = 0;
  const message = ERRORS[code].message.replace(/%s/g, () => String(values[i++] ?? ''));
  return new CodeRunnerError(code, message, headers);
}
