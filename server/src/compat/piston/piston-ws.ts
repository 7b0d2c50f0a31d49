import { constants } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { CodeRunnerError } from '../../errors/errors.js';
import type { Execution } from '../../sandbox/sandbox.js';
import type { RunService } from '../../runs/run-service.js';
import type { PistonLanguages } from './piston-languages.js';
import { pistonJob, PistonRefusal, type PistonLimitsConfig } from './piston-request.js';
import { stageOutcome } from './piston-result.js';

/** Close codes of `/api/v2/connect` (readme.md, "Interactive execution endpoint"; api/src/api/v2.js). */
export const PISTON_CLOSE = {
  alreadyInitialized: [4000, 'Already Initialized'],
  initializationTimeout: [4001, 'Initialization Timeout'],
  notifiedError: [4002, 'Notified Error'],
  notYetInitialized: [4003, 'Not yet initialized'],
  onlyStdin: [4004, 'Can only write to stdin'],
  invalidSignal: [4005, 'Invalid signal'],
  jobCompleted: [4999, 'Job Completed'],
} as const;

/** v2.js closes a socket that sent no `init` within one second. */
const INIT_TIMEOUT_MS = 1000;
/** What a client may send before its program starts (Piston drops it; we keep it, bounded). */
const MAX_EARLY_FRAMES = 256;

/** Signal names a `signal` frame may carry: Linux's 1–31 (Piston checks against globals.SIGNALS). */
const SIGNALS = new Map<string, number>(
  Object.entries(constants.signals).filter(([, n]) => n >= 1 && n <= 31),
);

export interface PistonSocketDeps {
  runs: RunService;
  languages: PistonLanguages;
  limits: PistonLimitsConfig;
  log: FastifyBaseLogger;
}

type Early = { stdin: string } | { signal: number };

/** One `/api/v2/connect` session: init → runtime, stage/data/exit frames, then close 4999. */
export class PistonSocketSession {
  private readonly abort = new AbortController();
  private initialized = false;
  private execution: Execution | null = null;
  private readonly early: Early[] = [];
  private closed = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: PistonSocketDeps,
  ) {}

  start(): void {
    this.timer = setTimeout(() => {
      if (!this.initialized) this.close(PISTON_CLOSE.initializationTimeout);
    }, INIT_TIMEOUT_MS);
    this.socket.on('close', () => {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.early.length = 0;
      this.abort.abort(new Error('the client disconnected'));
    });
    this.socket.on('message', (raw: Buffer) => this.onMessage(raw));
  }

  private send(message: object): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private close([code, reason]: readonly [number, string]): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason);
  }

  /** v2.js's catch: the error's message in an `error` frame, then 4002 (close reasons are limited to 123 bytes). */
  private notify(message: string): void {
    this.send({ type: 'error', message });
    this.close(PISTON_CLOSE.notifiedError);
  }

  private onMessage(raw: Buffer): void {
    if (this.closed) return;
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      msg = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch (err) {
      this.notify((err as Error).message);
      return;
    }
    // v2.js's switch: unknown types are ignored.
    if (msg.type === 'init') {
      if (this.initialized) this.close(PISTON_CLOSE.alreadyInitialized);
      else void this.init(msg);
    } else if (msg.type === 'data') {
      if (!this.initialized) this.close(PISTON_CLOSE.notYetInitialized);
      else if (msg.stream !== 'stdin') this.close(PISTON_CLOSE.onlyStdin);
      else this.deliver({ stdin: typeof msg.data === 'string' ? msg.data : String(msg.data) });
    } else if (msg.type === 'signal') {
      const signal = typeof msg.signal === 'string' ? SIGNALS.get(msg.signal) : undefined;
      if (!this.initialized) this.close(PISTON_CLOSE.notYetInitialized);
      else if (signal === undefined) this.close(PISTON_CLOSE.invalidSignal);
      else this.deliver({ signal });
    }
  }

  private deliver(what: Early): void {
    const execution = this.execution;
    if (!execution) {
      if (this.early.length >= MAX_EARLY_FRAMES) {
        this.notify(`at most ${MAX_EARLY_FRAMES} frames before the program starts`);
        return;
      }
      this.early.push(what);
      return;
    }
    if ('stdin' in what) {
      execution.writeStdin(Buffer.from(what.stdin, 'utf8')).catch(() => undefined);
    } else execution.signal(what.signal);
  }

  private async init(msg: Record<string, unknown>): Promise<void> {
    this.initialized = true;
    try {
      // readme.md: init takes /execute's parameters "except that stdin is discarded".
      const job = pistonJob(msg, this.deps.languages, this.deps.limits, { keepStdin: false });
      const prepared = this.deps.runs.prepare(job.request, { interactive: true });
      const names = prepared.agentRequest.stages.map((s) => s.name);
      this.send({ type: 'runtime', language: job.runtime.language, version: job.runtime.version });
      let current = 0;
      await this.deps.runs.execute(prepared, {
        signal: this.abort.signal,
        onStart: (execution) => {
          this.execution = execution;
          for (const queued of this.early.splice(0)) this.deliver(queued);
        },
        onEvent: (event) => {
          if (event.type === 'stage-begin') {
            current = event.stage;
            this.send({ type: 'stage', stage: names[event.stage] ?? 'run' });
          } else if (event.type === 'stdout' || event.type === 'stderr') {
            // job.js emits `data.toString()` per chunk: a chunk is decoded on its own.
            this.send({ type: 'data', stream: event.type, data: event.data.toString() });
          } else if (event.type === 'stage-exit') {
            const { code, signal } = stageOutcome(event.exit);
            this.send({
              type: 'exit',
              stage: names[event.exit.stage] ?? names[current] ?? 'run',
              code,
              signal,
            });
          }
        },
      });
      this.close(PISTON_CLOSE.jobCompleted);
    } catch (err) {
      if (this.closed) return;
      if (err instanceof PistonRefusal || err instanceof CodeRunnerError) this.notify(err.message);
      else {
        this.deps.log.error({ err }, 'piston websocket run failed');
        this.notify('internal error');
      }
    }
  }
}
