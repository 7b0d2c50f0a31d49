/**
 * Codec for the agent protocol (docs/agent-protocol.md): frames are `type u8 | length u32 BE | payload`.
 * Pure functions and a streaming decoder; no I/O.
 */

export const PROTOCOL_VERSION = 3;
/** Largest frame the server accepts from an agent; the agent sends chunks of at most 64 KiB. */
export const MAX_INBOUND_FRAME = 1024 * 1024;

export interface AgentFile {
  name: string;
  content: Buffer;
  executable: boolean;
}

export interface AgentStage {
  name: 'compile' | 'run';
  argv: string[];
  env: string[];
  wallMs: number;
  cpuMs: number;
  fileSizeBytes: number;
  outputBytes: number;
  attachStdin: boolean;
  /** Wait for the server's G frame (after the agent's P) before starting, so it can change container limits. */
  pauseBefore: boolean;
  /** Past `outputBytes`, drop the rest of the stream and let the program go on (else the stage is killed). */
  truncateOutput?: boolean;
  /** RLIMIT_AS of the stage's processes; 0 or absent: unlimited. */
  addressSpaceBytes?: number;
  /** RLIMIT_NPROC: processes and threads of the program at once; 0 or absent: only the container's pids limit. */
  processes?: number;
  /** RLIMIT_STACK; 0 or absent: the container's default. */
  stackBytes?: number;
  /** The stage's own stdin, then end of input (a test case's); not with attachStdin. */
  ownStdin?: Buffer;
  /** Empty the work dir and write the request's files again, then `files`, before the stage (a test case). */
  resetWorkDir?: boolean;
  /** Written after the reset (only with resetWorkDir). */
  files?: AgentFile[];
  /** After the stage, send the files under out/ and matching the request's outputGlobs (W and U frames). */
  collectOutputs?: boolean;
  /**
   * The container's pre-started process may take this stage (flag bit 6): set only on a first stage whose argv
   * is the plain command the pre-start stands in for; the agent still checks its env and limits.
   */
  prestart?: boolean;
}

/** A pre-started process: what the agent starts before the request (sandbox spec, `S` frame). */
export interface AgentPrestart {
  /** The argv prefix of the plain command it stands in for (`python3 -u`): argv[k..] is what it is handed. */
  replaces: string[];
  /** The process itself: the launcher's argv, and the env and limits of the first stages it may take. */
  stage: AgentStage;
}

export interface AgentRequest {
  files: AgentFile[];
  stages: AgentStage[];
  stdin: Buffer;
  closeStdin: boolean;
  /** Files out of a run besides out/: globs on paths relative to the work dir. */
  outputGlobs?: string[];
  /** Caps of the files a collecting stage sends back (0: none). */
  maxOutputFiles?: number;
  maxOutputBytes?: number;
}

/** Which limit ended a stage, as the agent reports it. */
export type StageLimit = 'none' | 'wall' | 'cpu' | 'memory' | 'output' | 'file_size' | 'killed';
const LIMITS: readonly StageLimit[] = ['none', 'wall', 'cpu', 'memory', 'output', 'file_size', 'killed'];

export interface StageExit {
  stage: number;
  exitCode: number | null;
  signal: number | null;
  wallTimeMs: number;
  cpuTimeMs: number;
  memoryKb: number;
  limit: StageLimit;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  outputBytes: number;
  /** The stage ran in the process the agent had pre-started and handed it to (the X frame's flags byte). */
  prestarted: boolean;
}

export type AgentEvent =
  | { type: 'ready'; version: string }
  | { type: 'stage-begin'; stage: number }
  | { type: 'paused'; stage: number }
  | { type: 'stdout' | 'stderr'; data: Buffer }
  | { type: 'stage-exit'; exit: StageExit }
  /** A chunk of a file the stage left (in order, `last` on its final chunk). */
  | { type: 'output-file'; stage: number; name: string; data: Buffer; last: boolean }
  /** The end of a stage's files: how many were sent, and whether some were left out by the caps. */
  | { type: 'outputs'; stage: number; kept: number; truncated: boolean }
  | { type: 'done' }
  | { type: 'fatal'; message: string };

/** Builds one frame. */
export function encodeFrame(type: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.allocUnsafe(5);
  header.writeUInt8(type.charCodeAt(0), 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

class Writer {
  private readonly parts: Buffer[] = [];
  u8(v: number): this {
    const b = Buffer.allocUnsafe(1);
    b.writeUInt8(v);
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(v >>> 0);
    this.parts.push(b);
    return this;
  }
  u64(v: number): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(v))));
    this.parts.push(b);
    return this;
  }
  bytes(v: Buffer): this {
    this.u32(v.length);
    this.parts.push(v);
    return this;
  }
  str(v: string): this {
    return this.bytes(Buffer.from(v, 'utf8'));
  }
  strings(values: readonly string[]): this {
    this.u32(values.length);
    for (const v of values) this.str(v);
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function writeFiles(w: Writer, list: readonly AgentFile[]): void {
  w.u32(list.length);
  for (const file of list)
    w.str(file.name)
      .bytes(file.content)
      .u8(file.executable ? 1 : 0);
}

function writeStage(w: Writer, s: AgentStage): void {
  w.str(s.name).strings(s.argv).strings(s.env);
  w.u32(s.wallMs)
    .u32(s.cpuMs)
    .u64(s.fileSizeBytes)
    .u64(s.outputBytes)
    .u32(
      (s.attachStdin ? 1 : 0) |
        (s.pauseBefore ? 2 : 0) |
        (s.truncateOutput === true ? 4 : 0) |
        (s.ownStdin ? 8 : 0) |
        (s.resetWorkDir === true ? 16 : 0) |
        (s.collectOutputs === true ? 32 : 0) |
        (s.prestart === true ? 64 : 0),
    )
    .u64(s.addressSpaceBytes ?? 0)
    .u32(s.processes ?? 0)
    .u64(s.stackBytes ?? 0)
    .bytes(s.ownStdin ?? Buffer.alloc(0));
  writeFiles(w, s.resetWorkDir === true ? (s.files ?? []) : []);
}

/** Encodes the `R` run request frame. */
export function encodeRunRequest(request: AgentRequest): Buffer {
  const w = new Writer().u32(PROTOCOL_VERSION);
  writeFiles(w, request.files);
  w.u32(request.stages.length);
  for (const s of request.stages) writeStage(w, s);
  w.bytes(request.stdin).u8(request.closeStdin ? 1 : 0);
  w.strings(request.outputGlobs ?? [])
    .u32(request.maxOutputFiles ?? 0)
    .u64(request.maxOutputBytes ?? 0);
  return encodeFrame('R', w.build());
}

/**
 * Encodes the `S` frame of an agent started with `--prestart`: the argv prefix of the first stage its process
 * stands in for, and the stage it is started as (the launcher's argv, that stage's env and limits).
 */
export function encodePrestart(prestart: AgentPrestart): Buffer {
  const w = new Writer().u32(PROTOCOL_VERSION).strings(prestart.replaces);
  writeStage(w, prestart.stage);
  return encodeFrame('S', w.build());
}

/** Encodes an `I` stdin chunk frame. */
export function encodeStdin(data: Buffer): Buffer {
  return encodeFrame('I', data);
}

/** Encodes a `G` frame: the stage the agent paused before may start. */
export function encodeGo(): Buffer {
  return encodeFrame('G');
}

/** Encodes a `C` close-stdin frame. */
export function encodeCloseStdin(): Buffer {
  return encodeFrame('C');
}

/** Encodes a `K` signal frame. */
export function encodeSignal(signal: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(signal);
  return encodeFrame('K', payload);
}

/** The X frame's flags (byte 32): the stage ran in the pre-started process. */
const EXIT_PRESTARTED = 1;

function decodeStageExit(p: Buffer): StageExit {
  // 33 bytes from agents that report the flags byte; 32 from older ones (no flags).
  if (p.length < 32) throw new Error(`stage exit frame has ${p.length} bytes, expected 33`);
  const exitCode = p.readInt32BE(1);
  const signal = p.readUInt32BE(5);
  return {
    stage: p.readUInt8(0),
    exitCode: signal !== 0 ? null : exitCode,
    signal: signal === 0 ? null : signal,
    wallTimeMs: p.readUInt32BE(9),
    cpuTimeMs: p.readUInt32BE(13),
    memoryKb: p.readUInt32BE(17),
    limit: LIMITS[p.readUInt8(21)] ?? 'none',
    stdoutTruncated: p.readUInt8(22) === 1,
    stderrTruncated: p.readUInt8(23) === 1,
    outputBytes: Number(p.readBigUInt64BE(24)),
    prestarted: p.length > 32 && (p.readUInt8(32) & EXIT_PRESTARTED) !== 0,
  };
}

function readStr(p: Buffer): string {
  if (p.length < 4) return p.toString('utf8');
  const len = p.readUInt32BE(0);
  return p.subarray(4, 4 + len).toString('utf8');
}

/** Decodes one agent->server frame payload into an event. */
export function decodeAgentFrame(type: number, payload: Buffer): AgentEvent {
  switch (String.fromCharCode(type)) {
    case 'Y':
      return { type: 'ready', version: readStr(payload) };
    case 'B':
      return { type: 'stage-begin', stage: payload.readUInt8(0) };
    case 'P':
      return { type: 'paused', stage: payload.readUInt8(0) };
    case 'O':
      return { type: 'stdout', data: payload };
    case 'E':
      return { type: 'stderr', data: payload };
    case 'X':
      return { type: 'stage-exit', exit: decodeStageExit(payload) };
    case 'W': {
      const stage = payload.readUInt8(0);
      const nameLength = payload.readUInt32BE(1);
      const name = payload.toString('utf8', 5, 5 + nameLength);
      const at = 5 + nameLength;
      const last = payload.readUInt8(at) === 1;
      const length = payload.readUInt32BE(at + 1);
      if (at + 5 + length !== payload.length) throw new Error('output file frame has a bad length');
      return { type: 'output-file', stage, name, data: payload.subarray(at + 5), last };
    }
    case 'U':
      return {
        type: 'outputs',
        stage: payload.readUInt8(0),
        kept: payload.readUInt32BE(1),
        truncated: payload.readUInt8(5) === 1,
      };
    case 'D':
      return { type: 'done' };
    case 'F':
      return { type: 'fatal', message: readStr(payload) };
    default:
      throw new Error(`unknown agent frame type 0x${type.toString(16)}`);
  }
}

/**
 * Incremental parser of a byte stream into frames. `push` returns the complete frames so far; bytes of an
 * incomplete frame wait for the next push. Throws on an oversized or unknown frame (the caller then treats
 * the sandbox as broken).
 */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrame: number = MAX_INBOUND_FRAME) {}

  /** Appends bytes and returns every event completed by them. */
  push(chunk: Buffer): AgentEvent[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const events: AgentEvent[] = [];
    let offset = 0;
    while (this.buffer.length - offset >= 5) {
      const type = this.buffer.readUInt8(offset);
      const length = this.buffer.readUInt32BE(offset + 1);
      if (length > this.maxFrame) throw new Error(`agent frame of ${length} bytes exceeds ${this.maxFrame}`);
      if (this.buffer.length - offset - 5 < length) break;
      const payload = this.buffer.subarray(offset + 5, offset + 5 + length);
      events.push(decodeAgentFrame(type, payload));
      offset += 5 + length;
    }
    this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
    return events;
  }
}
