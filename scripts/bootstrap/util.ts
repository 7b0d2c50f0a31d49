// Shared helpers for the bootstrap: running commands without a shell, printing steps, installing apt packages.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** A failure the user can act on: `message` says what went wrong, `hint` what to do about it. */
export class BootstrapError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'BootstrapError';
  }
}

/** What a step returns: a value for later steps and the one-line summary printed when it ends. */
export interface StepResult<T> {
  value: T;
  summary: string;
}

export interface RunOptions {
  /** Text written to the command's stdin, or a stream piped into it. */
  input?: string | Readable;
  /** Kill the command (SIGKILL) after this long; the result then has `timedOut`. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** When set, every output line is printed with this prefix as it arrives. */
  echoPrefix?: string;
}

export interface RunResult {
  /** Exit code; null when the command could not be started or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last output lines (stdout and stderr interleaved), for error messages. */
  tail: string[];
  timedOut: boolean;
  /** Set when the command could not be started at all (e.g. ENOENT). */
  spawnError?: string;
}

const TAIL_LINES = 25;

/** Runs argv to completion (never through a shell), capturing its output and optionally echoing it line by line. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const tail: string[] = [];
    let timedOut = false;
    let spawnError: string | undefined;
    const onLine = (line: string): void => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      if (options.echoPrefix !== undefined) console.log(options.echoPrefix + line);
    };
    // One splitter per stream, so a partial stdout line is never glued to a stderr one.
    const splitters = { stdout: createLineSplitter(onLine), stderr: createLineSplitter(onLine) };
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.stdout.push(chunk);
      splitters.stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      chunks.stderr.push(chunk);
      splitters.stderr.push(chunk);
    });
    // A child that exits before reading its stdin makes writes fail with EPIPE; its exit code tells the story.
    child.stdin.on('error', () => {});
    if (typeof options.input === 'string') child.stdin.end(options.input);
    else if (options.input) options.input.pipe(child.stdin);
    else child.stdin.end();
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.on('error', (err) => {
      spawnError = err.message;
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      splitters.stdout.flush();
      splitters.stderr.flush();
      resolve({
        code: spawnError ? null : code,
        stdout: Buffer.concat(chunks.stdout).toString('utf8'),
        stderr: Buffer.concat(chunks.stderr).toString('utf8'),
        tail,
        timedOut,
        ...(spawnError === undefined ? {} : { spawnError }),
      });
    });
  });
}

/** Like run(), but throws a BootstrapError quoting the output's last lines when the command fails. */
export async function runOrFail(
  command: string,
  args: readonly string[],
  what: string,
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0)
    throw new BootstrapError(`${what} failed (${describeExit(result)})`, formatTail(result.tail));
  return result;
}

/** Waits for a child started elsewhere (e.g. the producer end of a pipe) and returns its exit code. */
export function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code));
  });
}

/** Says how a command ended, for error messages ("exit 2", "timed out", "not found: spawn x ENOENT"). */
export function describeExit(result: RunResult): string {
  if (result.spawnError !== undefined) return `could not start: ${result.spawnError}`;
  if (result.timedOut) return 'timed out';
  return `exit ${result.code ?? 'by signal'}`;
}

/** Formats output lines as an indented block for a hint. */
export function formatTail(lines: readonly string[]): string {
  return lines.length === 0
    ? 'it printed nothing'
    : `its last output:\n${lines.map((l) => `    ${l}`).join('\n')}`;
}

// Colour codes (the classic builder paints stderr red) would garble the indented echo and error hints.
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]/g;

function createLineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  const decoder = new StringDecoder('utf8'); // a chunk may end inside a multi-byte character
  let pending = '';
  // Progress meters redraw one line with \r; print only what the line finally shows, not every frame.
  const emit = (line: string): void => {
    const shown = line
      .replace(ANSI_ESCAPE, '')
      .split('\r')
      .filter((part) => part.trim() !== '')
      .at(-1);
    if (shown !== undefined) onLine(shown);
  };
  return {
    push(chunk) {
      const lines = (pending + decoder.write(chunk)).split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) emit(line);
    },
    flush() {
      emit(pending + decoder.end());
      pending = '';
    },
  };
}

/** Prints "→ name…", runs the step, then "✓ name: summary (1.2 s)"; on failure prints "✗ name: …" and rethrows. */
export async function step<T>(name: string, body: () => Promise<StepResult<T>>): Promise<T> {
  const started = Date.now();
  console.log(`→ ${name}…`);
  try {
    const { value, summary } = await body();
    console.log(`✓ ${name}: ${summary} (${secondsSince(started)})`);
    return value;
  } catch (err) {
    console.error(`✗ ${name}: ${(err as Error).message} (${secondsSince(started)})`);
    if (err instanceof BootstrapError) {
      if (err.hint) console.error(err.hint.replace(/^/gm, '  '));
    } else {
      console.error((err as Error).stack ?? String(err));
    }
    throw new StepFailed(name);
  }
}

/** Thrown by step() after it has printed the failure, so main() only has to set the exit code. */
export class StepFailed extends Error {}

/** Formats the time since `startedMs` as "1.2 s". */
export function secondsSince(startedMs: number): string {
  return `${((Date.now() - startedMs) / 1000).toFixed(1)} s`;
}

/** True when we may install packages and start daemons ourselves: root on a Debian-family system. */
export function isRootOnDebian(): boolean {
  return process.getuid?.() === 0 && existsSync('/etc/debian_version');
}

/** Finds an executable on PATH or in the sbin folders (a non-login root shell may lack them); null if absent. */
export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** Installs Debian packages; created once in main() so `apt-get update` runs at most once per process. */
export interface Apt {
  install(packages: readonly string[]): Promise<void>;
}

/** Creates the process's apt installer (see Apt). */
export function createApt(): Apt {
  let updated = false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return {
    async install(packages) {
      if (!isRootOnDebian()) {
        throw new BootstrapError(
          `${packages.join(', ')} missing and this is not root on Debian`,
          `install ${packages.join(' ')} with your system's package manager, then run this again`,
        );
      }
      if (!updated) {
        console.log(`  apt-get update (for ${packages.join(', ')})`);
        await runOrFail('apt-get', ['update'], 'apt-get update', { env, echoPrefix: '    apt │ ' });
        updated = true;
      }
      console.log(`  apt-get install ${packages.join(' ')}`);
      await runOrFail('apt-get', ['install', '-y', ...packages], `apt-get install ${packages.join(' ')}`, {
        env,
        echoPrefix: '    apt │ ',
      });
    },
  };
}

export interface ImageInfo {
  id: string;
  labels: Record<string, string>;
  /** The image's size with its base layers. */
  sizeBytes: number;
}

/** Returns an image's id and labels, or null when the daemon has no image by that name. */
export async function inspectImage(name: string): Promise<ImageInfo | null> {
  const result = await run('docker', ['image', 'inspect', name], { timeoutMs: 30_000 });
  if (result.code !== 0) return null;
  const parsed = JSON.parse(result.stdout) as Array<{
    Id: string;
    Size?: number;
    Config?: { Labels?: Record<string, string> | null };
  }>;
  const first = parsed[0];
  return first ? { id: first.Id, labels: first.Config?.Labels ?? {}, sizeBytes: first.Size ?? 0 } : null;
}
