// Types of the streaming run protocol (docs/api.md, `GET /api/v1/runs/ws`) and a defensive frame parser.

export interface RunFile {
  name: string;
  content: string;
  encoding?: 'utf8' | 'base64';
  toBeExec?: boolean;
}

export interface RunRequest {
  language: string;
  files: RunFile[];
  stdin?: string;
  args?: string[];
  limits?: { timeoutMs?: number };
}

export type Stage = 'compile' | 'run';

export type RunStatus =
  'ok' | 'compile_error' | 'runtime_error' | 'timeout' | 'memory_limit' | 'output_limit' | 'internal_error';

/** How one stage (compile or run) ended. */
export interface StageReport {
  exitCode: number | null;
  signal: string | null;
  wallTimeMs: number;
  cpuTimeMs: number;
  memoryKb: number;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}

/** The `result` frame: the same body as the POST /runs reply. */
export interface RunResult {
  id: string;
  language: string;
  version: string;
  status: RunStatus;
  compile: (StageReport & { stdout: string; stderr: string }) | null;
  run: (StageReport & { stdout: string; stderr: string }) | null;
  error?: { code: string; message: string };
}

export type ClientMessage =
  | { type: 'run'; request: RunRequest; stdinOpen: boolean }
  | { type: 'stdin'; data: string }
  | { type: 'stdin-close' }
  | { type: 'stop' };

export type ServerMessage =
  | { type: 'accepted'; language: string; version: string }
  | { type: 'stage'; stage: Stage }
  | { type: 'stdout' | 'stderr'; stage: Stage; data: string }
  | ({ type: 'stage-exit'; stage: Stage; limit: string } & StageReport)
  | ({ type: 'result' } & RunResult)
  | { type: 'error'; code: string; message: string };

const SERVER_TYPES = new Set(['accepted', 'stage', 'stdout', 'stderr', 'stage-exit', 'result', 'error']);

/** Parses one text frame from the server; null for anything that is not a known message. */
export function parseServerMessage(raw: unknown): ServerMessage | null {
  if (typeof raw !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !SERVER_TYPES.has(type)) return null;
  const message = value as ServerMessage;
  if ((message.type === 'stdout' || message.type === 'stderr') && typeof message.data !== 'string')
    return null;
  return message;
}

/** What a WebSocket close code means to a student (docs/api.md). */
export function describeCloseCode(code: number): string {
  switch (code) {
    case 4400:
      return 'the server rejected the run request';
    case 4429:
      return 'the server is busy (queue full); try again in a moment';
    case 4503:
      return 'no sandbox is available right now; try again in a moment';
    case 4500:
      return 'the server had an internal error';
    default:
      return `the connection closed unexpectedly (code ${code})`;
  }
}
