import { StringDecoder } from 'node:string_decoder';
import { constants } from 'node:os';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { clientMessageSchema as clientMessage, WS_CLOSE, type ClientMessage } from '@coderunner/protocol';
import { CodeRunnerError, createError } from '../errors/errors.js';
import type { AgentEvent } from '../sandbox/agent-protocol.js';
import type { Execution } from '../sandbox/sandbox.js';
import type { RunService } from '../runs/run-service.js';
import { signalName } from '../runs/run-result.js';
import { errorReplies, ref } from './openapi.js';

export { WS_CLOSE };

/** Bounds of one streaming connection. */
export interface RunSocketLimits {
  /** The `run` message must arrive within this many ms of the upgrade. */
  firstMessageTimeoutMs: number;
  /** Largest single message, in bytes (the REST body limit). */
  maxMessageBytes: number;
  /** Messages buffered before the program starts (stdin typed early, signals); one more closes with 4413. */
  maxEarlyMessages: number;
  /** Bytes of messages buffered before the program starts; more closes with 4413. */
  maxEarlyBytes: number;
}

export const DEFAULT_RUN_SOCKET_LIMITS: RunSocketLimits = {
  firstMessageTimeoutMs: 10000,
  maxMessageBytes: 5 * 1024 * 1024 + 1024,
  maxEarlyMessages: 256,
  maxEarlyBytes: 1024 * 1024,
};

function closeCodeFor(err: CodeRunnerError): number {
  if (err.statusCode === 413) return WS_CLOSE.tooMuchEarly;
  if (err.statusCode === 429) return WS_CLOSE.queueFull;
  if (err.statusCode === 503) return WS_CLOSE.unavailable;
  if (err.statusCode >= 500) return WS_CLOSE.internal;
  return WS_CLOSE.badRequest;
}

/** Turns agent events (already clipped to the output cap by the run) into client frames, decoding UTF-8 per stream. */
class OutputForwarder {
  private stage = 0;
  private readonly decoders = new Map<string, StringDecoder>();

  constructor(
    private readonly stageNames: readonly string[],
    private readonly send: (message: object) => void,
    /** Stages of hidden tests: nothing of them streams (their output could show the test's input). */
    private readonly hidden: ReadonlySet<number> = new Set(),
  ) {}

  onEvent(event: AgentEvent): void {
    const stage =
      event.type === 'stage-exit'
        ? event.exit.stage
        : event.type === 'stage-begin'
          ? event.stage
          : this.stage;
    if (this.hidden.has(stage)) {
      if (event.type === 'stage-begin') this.stage = event.stage;
      return;
    }
    if (event.type === 'stage-begin') {
      this.stage = event.stage;
      this.send({ type: 'stage', stage: this.stageNames[event.stage] ?? 'run' });
    } else if (event.type === 'stdout' || event.type === 'stderr') {
      const key = `${this.stage}:${event.type}`;
      let decoder = this.decoders.get(key);
      if (!decoder) this.decoders.set(key, (decoder = new StringDecoder('utf8')));
      const text = decoder.write(event.data);
      if (text) this.send({ type: event.type, stage: this.stageNames[this.stage] ?? 'run', data: text });
    } else if (event.type === 'stage-exit') {
      for (const stream of ['stdout', 'stderr'] as const) {
        const rest = this.decoders.get(`${event.exit.stage}:${stream}`)?.end();
        if (rest) this.send({ type: stream, stage: this.stageNames[event.exit.stage] ?? 'run', data: rest });
      }
      const { stage, signal, ...exit } = event.exit;
      this.send({
        type: 'stage-exit',
        stage: this.stageNames[stage] ?? 'run',
        ...exit,
        signal: signalName(signal),
      });
    }
  }
}

const runSocketSchema = {
  tags: ['websocket'],
  summary: 'A streaming run (WebSocket)',
  description:
    'Upgrade to a WebSocket; messages are JSON text frames. The first client message is ' +
    '`{"type":"run","request":<RunRequest>,"stdinOpen":true}`; then `stdin`, `stdin-close`, `signal` and `stop` ' +
    '(schema WsClientMessage). The server sends `accepted`, `stage`, `stdout`/`stderr` as output arrives, ' +
    '`stage-exit`, `test`, and finally `result` (a RunResponse) or `error` (schema WsServerMessage), then closes: ' +
    '1000 when done, 4000 + the HTTP status the REST API would use otherwise (4400, 4413, 4429, 4500, 4503). ' +
    'Browsers, which cannot send headers on a WebSocket, authenticate with `?ticket=` from POST /api/v1/ws-tickets. ' +
    'Protocol in docs/api.md.',
  querystring: {
    type: 'object',
    properties: {
      ticket: { type: 'string', description: 'A single-use ticket (POST /api/v1/ws-tickets), for browsers.' },
    },
  },
  response: {
    101: { description: 'Switching Protocols: the WebSocket is open.', type: 'null' },
    426: ref('ApiError', 'A plain GET without `Upgrade: websocket`.'),
    ...errorReplies(),
  },
};

/**
 * `GET /api/v1/runs/ws`: a run whose output streams as it happens and whose stdin the client may type into.
 * Protocol in docs/api.md. Everything a client sends before its program starts is buffered within a message and
 * byte cap; afterwards stdin follows the sandbox's backpressure (the socket stops being read while a write
 * waits). A client that disconnects cancels its run: queued, it is dropped; running, it is killed.
 */
export function registerRunsWebSocket(
  app: FastifyInstance,
  runs: RunService,
  limits: Partial<RunSocketLimits> = {},
): void {
  const bounds: RunSocketLimits = { ...DEFAULT_RUN_SOCKET_LIMITS, ...limits };
  app.route({
    method: 'GET',
    url: '/api/v1/runs/ws',
    config: { openapi: runSocketSchema },
    // A plain HTTP GET (no Upgrade) gets a JSON 426 instead of an empty 404.
    handler: async () => {
      throw createError('CR_ERR_HTTP_UPGRADE_REQUIRED');
    },
    wsHandler: (socket: WebSocket, request) =>
      new RunSocketSession(socket, runs, bounds, request.log).start(),
  });
}

type ControlMessage = Exclude<ClientMessage, { type: 'run' }>;

/** One streaming connection: at most one run, its early buffer, its stdin backpressure. */
class RunSocketSession {
  private readonly abort = new AbortController();
  private execution: Execution | null = null;
  private readonly early: ControlMessage[] = [];
  private earlyBytes = 0;
  private started = false;
  private closed = false;
  /** The server has refused the connection: what the client sends until the close handshake is not read. */
  private refused = false;
  /** Control messages are handled one after another, each waiting for the previous stdin write to be taken. */
  private chain: Promise<void> = Promise.resolve();
  private pendingWrites = 0;
  private firstMessageTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: WebSocket,
    private readonly runs: RunService,
    private readonly bounds: RunSocketLimits,
    /** The upgrade request's logger; once the run is admitted, its lines name the run (`run: <id>`). */
    private log: FastifyBaseLogger,
  ) {}

  start(): void {
    const { socket } = this;
    this.firstMessageTimer = setTimeout(
      () =>
        this.fail(
          createError(
            'CR_ERR_WS_INVALID_MESSAGE',
            `no run message within ${this.bounds.firstMessageTimeoutMs} ms`,
          ),
        ),
      this.bounds.firstMessageTimeoutMs,
    );
    socket.on('close', () => {
      this.closed = true;
      if (this.firstMessageTimer) clearTimeout(this.firstMessageTimer);
      this.early.length = 0;
      this.abort.abort(new Error('the client disconnected'));
    });
    socket.on('message', (raw: Buffer, isBinary: boolean) => this.onMessage(raw, isBinary));
  }

  private send(message: object): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private fail(err: CodeRunnerError): void {
    this.refused = true;
    this.early.length = 0;
    this.send({ type: 'error', code: err.code, message: err.message });
    this.socket.close(closeCodeFor(err), err.code);
  }

  private onMessage(raw: Buffer, isBinary: boolean): void {
    if (this.closed || this.refused) return;
    let message: ClientMessage;
    try {
      if (isBinary || raw.length > this.bounds.maxMessageBytes)
        throw new Error(`messages are JSON text frames of at most ${this.bounds.maxMessageBytes} bytes`);
      const parsed = clientMessage.safeParse(JSON.parse(raw.toString('utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
      }
      message = parsed.data;
    } catch (err) {
      this.fail(createError('CR_ERR_WS_INVALID_MESSAGE', (err as Error).message));
      return;
    }
    if (message.type === 'run') {
      if (this.started) {
        this.fail(createError('CR_ERR_WS_INVALID_MESSAGE', 'one run per connection'));
        return;
      }
      this.started = true;
      if (this.firstMessageTimer) clearTimeout(this.firstMessageTimer);
      void this.run(message);
      return;
    }
    if (!this.started) {
      this.fail(createError('CR_ERR_WS_INVALID_MESSAGE', 'the first message must be {"type":"run"}'));
      return;
    }
    if (!this.execution) {
      this.buffer(message, raw.length);
      return;
    }
    this.control(message);
  }

  /** Keeps a message sent before the program started, within the caps. */
  private buffer(message: ControlMessage, bytes: number): void {
    const { maxEarlyMessages, maxEarlyBytes } = this.bounds;
    if (this.early.length >= maxEarlyMessages || this.earlyBytes + bytes > maxEarlyBytes) {
      this.early.length = 0;
      this.fail(
        createError(
          'CR_ERR_WS_TOO_MUCH_EARLY_INPUT',
          `at most ${maxEarlyMessages} messages and ${maxEarlyBytes} bytes before the program starts`,
        ),
      );
      return;
    }
    this.early.push(message);
    this.earlyBytes += bytes;
  }

  /** Handles a control message in order; stdin waits for the sandbox to take the previous write. */
  private control(message: ControlMessage): void {
    this.chain = this.chain.then(() => this.apply(message));
  }

  private async apply(message: ControlMessage): Promise<void> {
    const execution = this.execution;
    if (!execution || this.closed) return;
    if (message.type === 'stdin') {
      const written = execution.writeStdin(Buffer.from(message.data, 'utf8'));
      // Stop reading the socket while the sandbox's buffer is full: the client's TCP window does the rest.
      if (this.pendingWrites++ === 0) this.socket.pause();
      try {
        await written;
      } finally {
        if (--this.pendingWrites === 0 && !this.closed) this.socket.resume();
      }
    } else if (message.type === 'stdin-close') execution.closeStdin();
    else if (message.type === 'stop') execution.signal(constants.signals.SIGKILL);
    else execution.signal(constants.signals[message.signal]);
  }

  private async run(message: Extract<ClientMessage, { type: 'run' }>): Promise<void> {
    try {
      // Interactive by default: stdin stays open for typed input until the client sends stdin-close.
      const prepared = this.runs.prepare(message.request, { interactive: message.stdinOpen !== false });
      this.log = this.log.child({ run: prepared.id });
      this.send({ type: 'accepted', language: prepared.runtime.language, version: prepared.runtime.version });
      const stages = prepared.agentRequest.stages;
      const firstTest = stages.findIndex((s) => s.name === 'run');
      const hidden = new Set(
        (prepared.validated.body.tests ?? []).flatMap((t, i) => (t.hidden === true ? [firstTest + i] : [])),
      );
      const forwarder = new OutputForwarder(
        stages.map((s) => s.name),
        (m) => this.send(m),
        hidden,
      );
      const result = await this.runs.execute(prepared, {
        signal: this.abort.signal,
        onEvent: (event) => forwarder.onEvent(event),
        onTest: (index, test) => this.send({ type: 'test', index, result: test }),
        onStart: (handle) => {
          this.execution = handle;
          for (const queued of this.early.splice(0)) this.control(queued);
          this.earlyBytes = 0;
        },
      });
      this.log.info(
        { language: prepared.runtime.language, status: result.status, ms: result.timings.totalMs },
        'run finished',
      );
      this.send({ type: 'result', ...result });
      this.socket.close(WS_CLOSE.normal, 'done');
    } catch (err) {
      if (this.closed) return;
      if (err instanceof CodeRunnerError) this.fail(err);
      else {
        this.log.error({ err }, 'websocket run failed');
        this.fail(createError('CR_ERR_SERVER_INTERNAL'));
      }
    }
  }
}
