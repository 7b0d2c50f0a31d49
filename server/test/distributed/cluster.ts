/**
 * Separate CodeRunner processes for the distributed-mode tests: `node --import tsx src/main.ts` with a role,
 * each with its JSON log lines collected so a test can wait for one ("run taken" by which worker).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  msg: string;
  [key: string]: unknown;
}

export interface RoleProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  /** Resolves with the first line (past or future) `test` accepts; rejects after `timeoutMs` or on exit. */
  waitForLine(test: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts one process with the role and environment given (on top of quiet, small test defaults). */
export function startRole(name: string, env: Record<string, string>): RoleProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      LOG_LEVEL: 'info',
      SERVE_CLIENT: 'false',
      SANDBOX_RUNTIME: process.env.SANDBOX_RUNTIME ?? 'runc',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: Array<{ test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  let rest = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    rest += chunk.toString('utf8');
    const parts = rest.split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) {
      let line: LogLine;
      try {
        line = JSON.parse(part) as LogLine;
      } catch {
        line = { msg: part };
      }
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (w.test(line)) w.resolve(line);
        else waiters.push(w);
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)),
  );
  const tail = () =>
    `${name}: ${lines
      .slice(-8)
      .map((l) => l.msg)
      .join(' | ')}${stderr ? ` | stderr: ${stderr}` : ''}`;
  return {
    name,
    child,
    lines,
    exited,
    waitForLine(test, timeoutMs = 60000) {
      const found = lines.find(test);
      if (found) return Promise.resolve(found);
      return new Promise<LogLine>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no such log line in ${timeoutMs} ms; ${tail()}`)),
          timeoutMs,
        );
        void exited.then((how) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${how}) before the log line; ${tail()}`));
        });
        waiters.push({
          test,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    async stop(graceMs = 30000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
