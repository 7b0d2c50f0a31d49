import { StringDecoder } from 'node:string_decoder';
import { constants } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { clientMessageSchema as clientMessage, WS_CLOSE, type ClientMessage } from '@coderunner/protocol';
import { CodeRunnerError, createError } from '../errors/errors.js';
import type { AgentEvent } from '../sandbox/agent-protocol.js';
import type { Execution } from '../sandbox/sandbox.js';
import type { RunService } from '../runs/run-service.js';
import { signalName } from '../runs/run-result.js';

export { WS_CLOSE };

const FIRST_MESSAGE_TIMEOUT_MS = 10000;
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

function closeCodeFor(err: CodeRunnerError): number {
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
  ) {}

  onEvent(event: AgentEvent): void {
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

/**
 * `GET /api/v1/runs/ws`: a run whose output streams as it happens and whose stdin the client may type into.
 * Protocol in docs/api.md. A client that disconnects stops its program, which frees the container.
 */
export function registerRunsWebSocket(app: FastifyInstance, runs: RunService): void {
  app.route({
    method: 'GET',
    url: '/api/v1/runs/ws',
    // A plain HTTP GET (no Upgrade) gets a JSON 426 instead of an empty 404.
    handler: async () => {
      throw createError('CR_ERR_HTTP_UPGRADE_REQUIRED');
    },
    wsHandler: (socket: WebSocket) => handleRunSocket(socket),
  });

  function handleRunSocket(socket: WebSocket): void {
    const abort = new AbortController();
    let execution: Execution | null = null;
    const pending: ClientMessage[] = [];
    let started = false;
    const send = (message: object) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const fail = (err: CodeRunnerError) => {
      send({ type: 'error', code: err.code, message: err.message });
      socket.close(closeCodeFor(err), err.code);
    };
    const firstMessageTimer = setTimeout(
      () =>
        fail(
          createError('CR_ERR_WS_INVALID_MESSAGE', `no run message within ${FIRST_MESSAGE_TIMEOUT_MS} ms`),
        ),
      FIRST_MESSAGE_TIMEOUT_MS,
    );
    const control = (message: ClientMessage) => {
      if (!execution) {
        pending.push(message);
        return;
      }
      if (message.type === 'stdin') execution.writeStdin(Buffer.from(message.data, 'utf8'));
      else if (message.type === 'stdin-close') execution.closeStdin();
      else if (message.type === 'stop') execution.signal(constants.signals.SIGKILL);
      else if (message.type === 'signal') execution.signal(constants.signals[message.signal]);
    };

    socket.on('close', () => {
      clearTimeout(firstMessageTimer);
      abort.abort();
      execution?.signal(constants.signals.SIGKILL);
    });

    socket.on('message', (raw: Buffer, isBinary: boolean) => {
      let message: ClientMessage;
      try {
        if (isBinary || raw.length > MAX_MESSAGE_BYTES)
          throw new Error('messages are JSON text frames of at most 8 MiB');
        const parsed = clientMessage.safeParse(JSON.parse(raw.toString('utf8')));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new Error(`${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
        }
        message = parsed.data;
      } catch (err) {
        fail(createError('CR_ERR_WS_INVALID_MESSAGE', (err as Error).message));
        return;
      }
      if (message.type !== 'run') {
        if (!started)
          fail(createError('CR_ERR_WS_INVALID_MESSAGE', 'the first message must be {"type":"run"}'));
        else control(message);
        return;
      }
      if (started) {
        fail(createError('CR_ERR_WS_INVALID_MESSAGE', 'one run per connection'));
        return;
      }
      started = true;
      clearTimeout(firstMessageTimer);
      void startRun(message);
    });

    async function startRun(message: Extract<ClientMessage, { type: 'run' }>): Promise<void> {
      try {
        const prepared = runs.prepare(message.request);
        // Interactive by default: stdin stays open for typed input until the client sends stdin-close.
        prepared.agentRequest.closeStdin = message.stdinOpen === false;
        const stages = prepared.agentRequest.stages;
        send({ type: 'accepted', language: prepared.runtime.language, version: prepared.runtime.version });
        const forwarder = new OutputForwarder(
          stages.map((s) => s.name),
          send,
        );
        const result = await runs.execute(prepared, {
          signal: abort.signal,
          onEvent: (event) => forwarder.onEvent(event),
          onStart: (handle) => {
            execution = handle;
            if (abort.signal.aborted) handle.signal(constants.signals.SIGKILL);
            for (const queued of pending.splice(0)) control(queued);
          },
        });
        send({ type: 'result', ...result });
        socket.close(WS_CLOSE.normal, 'done');
      } catch (err) {
        if (err instanceof CodeRunnerError) fail(err);
        else {
          app.log.error({ err }, 'websocket run failed');
          fail(createError('CR_ERR_SERVER_INTERNAL'));
        }
      }
    }
  }
}
