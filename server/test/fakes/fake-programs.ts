/**
 * The programs a fake sandbox can run: a few commands that exist, and behave the same, in every real runtime image
 * (Debian trixie coreutils and dash), so a test written against them means the same on both drivers:
 *
 * - `echo [-n] ARGS...`    coreutils echo (no escape processing, like /usr/bin/echo without -e)
 * - `cat`, `cat -`         stdin to stdout until end of input
 * - `cat FILE...`          a request file (relative to /work); a missing one: coreutils' message on stderr, exit 1
 * - `sleep N[smhd]...`     sleeps the sum; killed like any program
 * - `true`, `false`
 * - `sh -c SCRIPT`, `sh FILE`   a script of simple commands from this list, one per line or `;`-separated, with
 *                          single or double quotes and `exit [N]`; anything more (pipes, redirections, `$`, `&&`)
 *                          is refused loudly (stderr, exit 2) rather than mis-run.
 *
 * Anything else is looked up among the programs a test registered (FakeSandboxDriver.registerProgram); an unknown
 * argv[0] exits 127 with the agent's `coderunner: cannot run` message, as the real agent reports it.
 */
import type { StageLimit } from '../../src/sandbox/agent-protocol.js';

/** How a program ended when it needs more than an exit code (a limit it reports, its memory). */
export interface ProgramExit {
  exitCode: number;
  limit?: StageLimit;
  memoryKb?: number;
}

/** Thrown by a program's waits once its stage was killed; the stage's exit then says how it died. */
export class ProgramKilled extends Error {
  constructor() {
    super('the program was killed');
    this.name = 'ProgramKilled';
  }
}

/** What a running fake program can do: its side of the agent's pipes, and the faults a test can inject. */
export interface ProgramContext {
  readonly argv: readonly string[];
  readonly env: readonly string[];
  /** Index of the stage in the request. */
  readonly stage: number;
  /** The request's files, by name relative to the work dir. */
  readonly files: ReadonlyMap<string, Buffer>;
  /** Aborts when the stage is killed (signal, wall limit, output cap, agent or container gone). */
  readonly killed: AbortSignal;
  stdout(data: string | Buffer): void;
  stderr(data: string | Buffer): void;
  /** The next chunk of stdin (at most 64 KiB); null at end of input or when this stage has no stdin. */
  readStdin(): Promise<Buffer | null>;
  /** Waits; rejects with ProgramKilled when the stage is killed first. */
  sleep(ms: number): Promise<void>;
  /** Runs another program in this stage (what `sh` does) and returns its exit code. */
  run(argv: readonly string[]): Promise<number>;
  /** Fault: the agent (PID 1) dies now; the container is gone, the run fails with `agent_failed`. */
  crashAgent(): Promise<never>;
  /** Fault: the engine kills the whole sandbox for running out of memory (what gVisor does). */
  oomKill(): Promise<never>;
}

/** A fake program: returns its exit code (or a ProgramExit); resolving with nothing means 0. */
export type FakeProgram = (ctx: ProgramContext) => Promise<number | ProgramExit | void> | number | void;

const echo: FakeProgram = (ctx) => {
  const args = ctx.argv.slice(1);
  const noNewline = args[0] === '-n';
  ctx.stdout(`${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`);
  return 0;
};

/** A request file as a program in /work sees it: `a.txt`, `./a.txt` and `/work/a.txt` are the same file. */
function fileOf(ctx: ProgramContext, name: string): Buffer | undefined {
  const relative = name.replace(/^\/work\//, '').replace(/^(\.\/)+/, '');
  return ctx.files.get(relative);
}

async function pipeStdin(ctx: ProgramContext): Promise<void> {
  for (;;) {
    const chunk = await ctx.readStdin();
    if (chunk === null) return;
    ctx.stdout(chunk);
  }
}

const cat: FakeProgram = async (ctx) => {
  const names = ctx.argv.slice(1);
  if (names.length === 0) names.push('-');
  let status = 0;
  for (const name of names) {
    if (name === '-') {
      await pipeStdin(ctx);
      continue;
    }
    const content = fileOf(ctx, name);
    if (content === undefined) {
      ctx.stderr(`cat: ${name}: No such file or directory\n`);
      status = 1;
    } else ctx.stdout(content);
  }
  return status;
};

const SLEEP_UNITS: Record<string, number> = { '': 1000, s: 1000, m: 60000, h: 3600000, d: 86400000 };

const sleep: FakeProgram = async (ctx) => {
  const args = ctx.argv.slice(1);
  if (args.length === 0) {
    ctx.stderr('sleep: missing operand\n');
    return 1;
  }
  let ms = 0;
  for (const arg of args) {
    const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
    if (!match) {
      ctx.stderr(`sleep: invalid time interval '${arg}'\n`);
      return 1;
    }
    ms += Number(match[1]) * SLEEP_UNITS[match[2]!]!;
  }
  await ctx.sleep(ms);
  return 0;
};

/** Splits one command line into words (single and double quotes); null when it uses syntax the fake lacks. */
function splitWords(line: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end === -1) return null;
      const quoted = line.slice(i + 1, end);
      if (c === '"' && /[$`\\]/.test(quoted)) return null;
      word += quoted;
      inWord = true;
      i = end;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (/[|&<>$`()\\*?[\]{}~]/.test(c)) {
      return null;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Splits a script into command lines: newlines and `;` outside quotes; `#` comments dropped. */
function splitCommands(script: string): string[] {
  const commands: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const c of script) {
    if (quote) {
      current += c;
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === '\n' || c === ';') {
      commands.push(current);
      current = '';
    } else current += c;
  }
  commands.push(current);
  return commands.map((line) => line.replace(/^\s*#.*$/, '').trim()).filter((line) => line !== '');
}

async function runScript(ctx: ProgramContext, script: string): Promise<number> {
  let status = 0;
  for (const line of splitCommands(script)) {
    const words = splitWords(line);
    if (words === null) {
      ctx.stderr(`fake sh: unsupported syntax (only simple commands and exit N): ${line}\n`);
      return 2;
    }
    if (words[0] === 'exit') {
      if (words.length > 2 || (words[1] !== undefined && !/^\d+$/.test(words[1]))) {
        ctx.stderr(`fake sh: unsupported exit: ${line}\n`);
        return 2;
      }
      return words[1] === undefined ? status : Number(words[1]) & 255;
    }
    status = await ctx.run(words);
  }
  return status;
}

const sh: FakeProgram = async (ctx) => {
  const args = ctx.argv.slice(1);
  if (args[0] === '-c') {
    if (args[1] === undefined) {
      ctx.stderr('sh: 0: -c requires an argument\n');
      return 2;
    }
    return runScript(ctx, args[1]);
  }
  const file = args[0];
  if (file === undefined) {
    // An interactive shell reading commands from stdin: not something a test needs.
    ctx.stderr('fake sh: a script (sh FILE) or sh -c SCRIPT is required\n');
    return 2;
  }
  const content = fileOf(ctx, file);
  if (content === undefined) {
    ctx.stderr(`sh: 0: cannot open ${file}: No such file\n`);
    return 2;
  }
  return runScript(ctx, content.toString('utf8'));
};

/** The commands every real runtime image has too. */
export const BUILTIN_PROGRAMS: Readonly<Record<string, FakeProgram>> = {
  echo,
  cat,
  sleep,
  true: () => 0,
  false: () => 1,
  sh,
};

/**
 * Fault programs for unit tests; no real image has them, so they are never built in: register them
 * (FakeSandboxDriver's `programs` option) where a test needs an agent that dies or a sandbox killed for memory.
 */
export const FAULT_PROGRAMS: Readonly<Record<string, FakeProgram>> = {
  'crash-agent': (ctx) => ctx.crashAgent(),
  'oom-kill': (ctx) => ctx.oomKill(),
};
