/**
 * A real Redis for tests: Debian's redis-server (installed by `npm test`'s bootstrap, scripts/bootstrap/services.ts)
 * started on a free loopback port with persistence off and its working folder in a temporary directory, so tests
 * never touch a system Redis and leave nothing behind.
 *
 * @example
 *   const redis = await startRedis();
 *   const client = new Redis(redis.url);
 *   ...
 *   await client.quit();
 *   await redis.stop();
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where Debian's redis-server package puts the server. */
export const REDIS_SERVER_PATH = '/usr/bin/redis-server';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
/** A free port can be taken by someone else before the server binds it; try a few. */
const PORT_ATTEMPTS = 3;

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Kills the server and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/** The redis-server binary; throws, saying how to get it, when it is not installed. */
export function findRedisServer(): string {
  if (existsSync(REDIS_SERVER_PATH)) return REDIS_SERVER_PATH;
  throw new Error(
    `${REDIS_SERVER_PATH} is missing: run \`npm test\` once (its bootstrap installs redis-server), or \`npx tsx scripts/bootstrap/main.ts --skip-images --with-services\``,
  );
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from the kernel'))));
    });
  });
}

/** Starts a throw-away redis-server on loopback and resolves once it answers PING. */
export async function startRedis(): Promise<RedisServer> {
  const binary = findRedisServer();
  const dir = await mkdtemp(join(tmpdir(), 'coderunner-redis-'));
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      const started = await startOn(binary, dir, port);
      if ('server' in started) return started.server;
      if (!started.portTaken || attempt >= PORT_ATTEMPTS) throw new Error(started.problem);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startOn(
  binary: string,
  dir: string,
  port: number,
): Promise<{ server: RedisServer } | { problem: string; portTaken: boolean }> {
  // Logging to stdout (the default with no logfile) so a failure can quote it.
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`could not start: ${err.message}`));
    child.once('exit', (code, signal) => resolve(`exited (${signal ?? `code ${code}`})`));
  });
  const ended: { reason: string | null } = { reason: null };
  void exited.then((reason) => (ended.reason = reason));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (ended.reason === null && Date.now() < deadline) {
    if (await answersPing(port)) {
      return { server: { url: `redis://127.0.0.1:${port}`, port, stop: stopper(child, exited, dir) } };
    }
    await sleep(50);
  }
  const why = ended.reason ?? `did not answer PING within ${START_TIMEOUT_MS} ms`;
  if (ended.reason === null) {
    child.kill('SIGKILL');
    await exited;
  }
  return {
    problem: `redis-server on 127.0.0.1:${port} ${why}; its output:\n${output.trim() || '(none)'}`,
    portTaken: /address already in use/i.test(output),
  };
}

function stopper(child: ChildProcess, exited: Promise<string>, dir: string): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  return () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.race([exited, sleep(STOP_TIMEOUT_MS)]);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
}

/** True when something on the port answers the inline command PING with +PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
