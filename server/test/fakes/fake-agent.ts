/**
 * The in-container half of a fake sandbox: what coderunner-agent does with one run request (docs/agent-protocol.md),
 * in memory. It runs the stages in order (pausing before a stage whose pauseBefore is set until `go`), enforces the
 * wall-clock and output limits, feeds stdin to the stage that has it, kills the stage on a signal, and reports
 * events in the agent's order: stage-begin, stdout/stderr, stage-exit, then done. A request the real agent would
 * refuse gets `fatal`.
 */
import type {
  AgentEvent,
  AgentRequest,
  AgentStage,
  StageExit,
  StageLimit,
} from '../../src/sandbox/agent-protocol.js';
import {
  BUILTIN_PROGRAMS,
  ProgramKilled,
  type FakeProgram,
  type ProgramContext,
  type ProgramExit,
} from './fake-programs.js';

/** What the agent needs from its sandbox. */
export interface FakeAgentHost {
  /** Sends one frame to the server (delivered asynchronously, in order). */
  emit(event: AgentEvent): void;
  /** The agent exits (after `done` or `fatal`). */
  exited(): void;
  /** A program registered by a test, by argv[0]. */
  program(name: string): FakeProgram | undefined;
  /** Bytes of stdin that may wait unread before a write waits (see FakeDriverOptions.stdinBufferBytes). */
  readonly stdinBufferBytes: number;
  /** Fault: the agent does not enforce wall-clock limits (only the server's own deadline ends the run). */
  readonly ignoresWallLimit: boolean;
  /** Fault injection from a program: the agent dies; `oom`: the engine killed the sandbox for memory. */
  crash(oom: boolean): void;
}

/** Largest output frame the agent sends. */
const MAX_CHUNK = 64 * 1024;
const SIGKILL = 9;
/** Signals whose default action does not end a process (child, continue, stop, urgent, window change). */
const NON_FATAL_SIGNALS = new Set([17, 18, 19, 20, 21, 22, 23, 28]);

interface RunningStage {
  index: number;
  stage: AgentStage;
  controller: AbortController;
  kill: { signal: number; limit: StageLimit } | null;
  stdoutBytes: number;
  stderrBytes: number;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  outputBytes: number;
  /** What is left of a test case's own stdin (null: the stage reads the stream, or /dev/null). */
  ownStdin: Buffer | null;
}

/** Why the real agent would refuse this request (`F`), or null. */
function refusal(request: AgentRequest): string | null {
  const { stages, files } = request;
  if (stages.length < 1 || stages.length > 256) return 'a request has 1 to 256 stages';
  if (stages.some((s, i) => (s.name === 'compile' && i > 0) || (s.name !== 'compile' && s.name !== 'run')))
    return 'stages are an optional compile, then run';
  if (stages.some((s) => s.attachStdin && s.ownStdin)) return 'a stage has both the stdin stream and its own';
  if (stages.filter((s) => s.attachStdin).length > 1) return 'more than one stage has stdin';
  for (const s of stages) {
    if (s.argv.length === 0 || s.argv[0] === '') return 'empty argv';
    if (s.wallMs <= 0 || s.cpuMs <= 0) return 'wall_ms and cpu_ms must be positive';
    if (s.env.some((e) => e.indexOf('=') <= 0)) return 'bad env entry';
  }
  for (const f of files) {
    const parts = f.name.split('/');
    if (f.name.startsWith('/') || parts.some((p) => p === '' || p === '..') || f.name.includes('\0'))
      return `bad file name ${JSON.stringify(f.name)}`;
  }
  return null;
}

/** One run request inside one fake container. */
export class FakeAgent {
  private files: Map<string, Buffer>;
  private readonly stdinStage: number;
  private stdin: Buffer[] = [];
  private stdinBytes = 0;
  private stdinEof: boolean;
  /** The stage with stdin has ended: later data is dropped. */
  private stdinGone: boolean;
  private readers: Array<() => void> = [];
  private drains: Array<() => void> = [];
  private current: RunningStage | null = null;
  private goWaiter: ((go: boolean) => void) | null = null;
  private dead = false;

  constructor(
    private readonly request: AgentRequest,
    private readonly host: FakeAgentHost,
  ) {
    this.files = new Map(request.files.map((f) => [f.name, Buffer.from(f.content)]));
    this.stdinStage = request.stages.findIndex((s) => s.attachStdin);
    this.stdinGone = this.stdinStage === -1;
    this.stdinEof = request.closeStdin;
    if (!this.stdinGone && request.stdin.length > 0) this.pushStdin(request.stdin);
  }

  /** Reads the request and runs it. */
  start(): void {
    void this.main();
  }

  /** `I`: appends to the stdin of the stage that has it; resolves when the buffer is below its high-water mark. */
  write(data: Buffer): Promise<void> {
    if (this.dead || this.stdinEof || this.stdinGone || data.length === 0) return Promise.resolve();
    this.pushStdin(data);
    if (this.stdinBytes < this.host.stdinBufferBytes) return Promise.resolve();
    return new Promise((resolve) => this.drains.push(resolve));
  }

  /** `C`: the program reads end of input once the buffer is empty. */
  closeStdin(): void {
    this.stdinEof = true;
    this.wakeReaders();
  }

  /** `K`: acts on the running stage; while paused it skips the rest of the request. */
  signal(signal: number): void {
    if (this.goWaiter) {
      const waiter = this.goWaiter;
      this.goWaiter = null;
      waiter(false);
      return;
    }
    if (this.current && !NON_FATAL_SIGNALS.has(signal)) this.killStage(signal, 'killed');
  }

  /** `G`: the paused stage may start. */
  go(): void {
    const waiter = this.goWaiter;
    this.goWaiter = null;
    waiter?.(true);
  }

  /** The container is gone: everything stops, nothing more is sent. */
  die(): void {
    if (this.dead) return;
    this.dead = true;
    this.killStage(SIGKILL, 'killed');
    this.go();
    this.discardStdin();
    this.wakeReaders();
  }

  private emit(event: AgentEvent): void {
    if (!this.dead) this.host.emit(event);
  }

  private async main(): Promise<void> {
    const problem = refusal(this.request);
    if (problem) {
      this.emit({ type: 'fatal', message: problem });
      this.host.exited();
      return;
    }
    for (const [index, stage] of this.request.stages.entries()) {
      if (stage.pauseBefore) {
        this.emit({ type: 'paused', stage: index });
        const go = await new Promise<boolean>((resolve) => (this.goWaiter = resolve));
        if (!go) break;
      }
      if (this.dead) return;
      if (stage.resetWorkDir === true) {
        this.files = new Map(
          [...this.request.files, ...(stage.files ?? [])].map((f) => [f.name, Buffer.from(f.content)]),
        );
      }
      this.emit({ type: 'stage-begin', stage: index });
      const exit = await this.runStage(index, stage);
      if (this.dead) return;
      this.emit({ type: 'stage-exit', exit });
      if (stage.collectOutputs === true) this.sendOutputs(index);
      if (stage.name === 'compile' && (exit.exitCode !== 0 || exit.limit !== 'none')) break;
    }
    if (this.dead) return;
    this.emit({ type: 'done' });
    this.host.exited();
  }

  /** The files under out/ (or named by a glob, matched literally) as the agent sends them; fake programs
   * write no files, so these are the request's own. */
  private sendOutputs(index: number): void {
    const globs = this.request.outputGlobs ?? [];
    const maxFiles = this.request.maxOutputFiles ?? 0;
    const maxBytes = this.request.maxOutputBytes ?? 0;
    let kept = 0;
    let bytes = 0;
    let truncated = false;
    for (const [name, data] of [...this.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!name.startsWith('out/') && !globs.includes(name)) continue;
      if (kept >= maxFiles || bytes + data.length > maxBytes) {
        truncated = true;
        continue;
      }
      // An empty file is one empty last chunk, as the agent sends it.
      let offset = 0;
      do {
        const chunk = Buffer.from(data.subarray(offset, offset + MAX_CHUNK));
        offset += chunk.length;
        this.emit({ type: 'output-file', stage: index, name, data: chunk, last: offset >= data.length });
      } while (offset < data.length);
      kept++;
      bytes += data.length;
    }
    this.emit({ type: 'outputs', stage: index, kept, truncated });
  }

  private async runStage(index: number, stage: AgentStage): Promise<StageExit> {
    const running: RunningStage = {
      index,
      stage,
      controller: new AbortController(),
      kill: null,
      stdoutBytes: 0,
      stderrBytes: 0,
      stdoutTruncated: false,
      stderrTruncated: false,
      outputBytes: 0,
      ownStdin: stage.ownStdin ? Buffer.from(stage.ownStdin) : null,
    };
    this.current = running;
    const killed = new Promise<void>((resolve) =>
      running.controller.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    const wall = this.host.ignoresWallLimit
      ? null
      : setTimeout(() => this.killStage(SIGKILL, 'wall'), stage.wallMs);
    const startedAt = Date.now();
    const ctx = this.contextFor(running);
    let outcome: number | ProgramExit | void = 0;
    try {
      // Like SIGKILL, a kill ends the stage whatever the program is doing.
      outcome = await Promise.race([this.exec(ctx, stage.argv, false), killed.then(() => 0)]);
    } catch (err) {
      if (!(err instanceof ProgramKilled)) {
        ctx.stderr(
          `fake program ${stage.argv[0]} threw: ${err instanceof Error ? err.message : String(err)}\n`,
        );
        outcome = 70;
      }
    } finally {
      if (wall) clearTimeout(wall);
      this.current = null;
      // Ends any wait the program left behind (its timers), without counting as a kill.
      running.controller.abort();
    }
    if (index === this.stdinStage) this.discardStdin();
    const result: ProgramExit = typeof outcome === 'object' ? outcome : { exitCode: outcome ?? 0 };
    const kill = running.kill;
    return {
      stage: index,
      exitCode: kill ? null : result.exitCode,
      signal: kill ? kill.signal : null,
      wallTimeMs: Date.now() - startedAt,
      cpuTimeMs: 0,
      memoryKb: result.memoryKb ?? 1024,
      limit: kill ? kill.limit : (result.limit ?? 'none'),
      stdoutTruncated: running.stdoutTruncated,
      stderrTruncated: running.stderrTruncated,
      outputBytes: running.outputBytes,
      prestarted: false,
    };
  }

  private async exec(
    ctx: ProgramContext,
    argv: readonly string[],
    nested: boolean,
  ): Promise<number | ProgramExit> {
    const name = argv[0] ?? '';
    const program = BUILTIN_PROGRAMS[name] ?? this.host.program(name);
    if (!program) {
      ctx.stderr(
        nested
          ? `sh: 1: ${name}: not found\n`
          : `coderunner: cannot run ${name}: No such file or directory\n`,
      );
      return 127;
    }
    const outcome = await program({ ...ctx, argv: [...argv] });
    return outcome ?? 0;
  }

  private contextFor(running: RunningStage): ProgramContext {
    const signal = running.controller.signal;
    const ctx: ProgramContext = {
      argv: running.stage.argv,
      env: running.stage.env,
      stage: running.index,
      files: this.files,
      killed: signal,
      stdout: (data) => this.output(running, 'stdout', data),
      stderr: (data) => this.output(running, 'stderr', data),
      readStdin: () => this.readStdin(running),
      sleep: (ms) => sleepUnlessKilled(ms, signal),
      run: async (argv) => {
        const outcome = await this.exec(ctx, argv, true);
        return typeof outcome === 'number' ? outcome : outcome.exitCode;
      },
      crashAgent: () => {
        this.host.crash(false);
        return sleepUnlessKilled(Number.POSITIVE_INFINITY, signal) as Promise<never>;
      },
      oomKill: () => {
        this.host.crash(true);
        return sleepUnlessKilled(Number.POSITIVE_INFINITY, signal) as Promise<never>;
      },
    };
    return ctx;
  }

  private output(running: RunningStage, stream: 'stdout' | 'stderr', raw: string | Buffer): void {
    if (running.controller.signal.aborted || this.dead) return;
    let data = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    running.outputBytes += data.length;
    const used = stream === 'stdout' ? running.stdoutBytes : running.stderrBytes;
    const room = running.stage.outputBytes - used;
    const over = data.length > room;
    if (over) data = data.subarray(0, Math.max(0, room));
    if (stream === 'stdout') running.stdoutBytes += data.length;
    else running.stderrBytes += data.length;
    for (let offset = 0; offset < data.length; offset += MAX_CHUNK)
      this.emit({ type: stream, data: Buffer.from(data.subarray(offset, offset + MAX_CHUNK)) });
    if (over) {
      if (stream === 'stdout') running.stdoutTruncated = true;
      else running.stderrTruncated = true;
      if (running.stage.truncateOutput !== true) this.killStage(SIGKILL, 'output');
    }
  }

  private killStage(signal: number, limit: StageLimit): void {
    const running = this.current;
    if (!running || running.kill) return;
    running.kill = { signal, limit };
    running.controller.abort();
    this.wakeReaders();
  }

  private pushStdin(data: Buffer): void {
    this.stdin.push(Buffer.from(data));
    this.stdinBytes += data.length;
    this.wakeReaders();
  }

  private takeStdin(): Buffer {
    const first = this.stdin[0]!;
    let chunk = first;
    if (first.length > MAX_CHUNK) {
      chunk = first.subarray(0, MAX_CHUNK);
      this.stdin[0] = first.subarray(MAX_CHUNK);
    } else this.stdin.shift();
    this.stdinBytes -= chunk.length;
    if (this.stdinBytes < this.host.stdinBufferBytes) this.releaseDrains();
    return chunk;
  }

  private async readStdin(running: RunningStage): Promise<Buffer | null> {
    if (running.ownStdin) {
      const chunk = running.ownStdin.subarray(0, MAX_CHUNK);
      running.ownStdin = running.ownStdin.subarray(chunk.length);
      return chunk.length > 0 ? chunk : null;
    }
    if (running.index !== this.stdinStage) return null; // /dev/null
    for (;;) {
      if (running.controller.signal.aborted) throw new ProgramKilled();
      if (this.stdin.length > 0) return this.takeStdin();
      if (this.stdinEof || this.stdinGone) return null;
      await new Promise<void>((resolve) => this.readers.push(resolve));
    }
  }

  private discardStdin(): void {
    this.stdinGone = true;
    this.stdin = [];
    this.stdinBytes = 0;
    this.releaseDrains();
  }

  private wakeReaders(): void {
    for (const wake of this.readers.splice(0)) wake();
  }

  private releaseDrains(): void {
    for (const resolve of this.drains.splice(0)) resolve();
  }
}

/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function sleepUnlessKilled(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new ProgramKilled());
      return;
    }
    const timer = ms <= MAX_TIMER_MS ? setTimeout(done, ms) : null;
    function done() {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      if (timer) clearTimeout(timer);
      reject(new ProgramKilled());
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
