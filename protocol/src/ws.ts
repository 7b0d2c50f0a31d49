import { z } from 'zod';
import { runResponseSchema, stageLimitSchema, stageNameSchema, stageReportSchema } from './run-result.js';
import { testResultSchema } from './test-cases.js';

/** Close codes of `GET /api/v1/runs/ws`: 4000 + the HTTP status the REST API would use (docs/api.md). */
export const WS_CLOSE = {
  normal: 1000,
  badRequest: 4400,
  /** The client sent more before the run started than the server buffers (count or bytes). */
  tooMuchEarly: 4413,
  queueFull: 4429,
  internal: 4500,
  unavailable: 4503,
} as const;
export type WsCloseCode = (typeof WS_CLOSE)[keyof typeof WS_CLOSE];

/** Signals a client may send to the running stage. */
export const WS_SIGNALS = [
  'SIGINT',
  'SIGTERM',
  'SIGKILL',
  'SIGQUIT',
  'SIGHUP',
  'SIGUSR1',
  'SIGUSR2',
] as const;

/** Longest `stdin` message, in characters. */
export const MAX_STDIN_MESSAGE = 1024 * 1024;

/**
 * Client → server messages. The `run` message's request is validated separately, against the server's maximums
 * (createRunRequestSchema), so that its errors name the request's own fields.
 */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), request: z.unknown(), stdinOpen: z.boolean().optional() }).strict(),
  z.object({ type: z.literal('stdin'), data: z.string().max(MAX_STDIN_MESSAGE) }).strict(),
  z.object({ type: z.literal('stdin-close') }).strict(),
  z.object({ type: z.literal('signal'), signal: z.enum(WS_SIGNALS) }).strict(),
  z.object({ type: z.literal('stop') }).strict(),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** Server → client messages. */
export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('accepted'), language: z.string(), version: z.string() }),
  z.object({ type: z.literal('stage'), stage: stageNameSchema }),
  z.object({ type: z.literal('stdout'), stage: stageNameSchema, data: z.string() }),
  z.object({ type: z.literal('stderr'), stage: stageNameSchema, data: z.string() }),
  stageReportSchema.extend({
    type: z.literal('stage-exit'),
    stage: stageNameSchema,
    limit: stageLimitSchema,
    outputBytes: z.number().optional(),
  }),
  /** With test cases: one test's result as soon as it is judged (index in the request's tests). */
  z.object({ type: z.literal('test'), index: z.number().int(), result: testResultSchema }),
  runResponseSchema.extend({ type: z.literal('result') }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** Parses one text frame from the server; null for anything that is not a valid message. */
export function parseServerMessage(raw: unknown): ServerMessage | null {
  if (typeof raw !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = serverMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** `POST /api/v1/ws-tickets` reply: a single-use ticket for one WebSocket connection (`?ticket=`). */
export const wsTicketSchema = z.object({ ticket: z.string(), expiresInMs: z.number() });
export type WsTicket = z.infer<typeof wsTicketSchema>;
