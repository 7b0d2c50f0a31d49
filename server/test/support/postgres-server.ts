/**
 * A real PostgreSQL for tests: Debian's server programs (installed by `npm test`'s bootstrap,
 * scripts/bootstrap/services.ts) with a fresh cluster in a temporary directory, listening on a free loopback port
 * with its Unix socket inside that directory, so tests never touch a system cluster and leave nothing behind.
 * PostgreSQL refuses to run as root, so as root every server program runs as the `postgres` system user the
 * package creates (`runuser -u postgres --`), which owns the directory. Durability is off (fsync, full-page
 * writes): a test cluster that dies is thrown away, not recovered.
 *
 * @example
 *   const pg = await startPostgres();
 *   const store = await PgRunStore.open(pg.url);
 *   ...
 *   await store.close();
 *   await pg.stop();
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeLoopbackPort } from './redis-server.js';

/** Debian installs each PostgreSQL major under /usr/lib/postgresql/<major>/bin. */
export const POSTGRES_LIB_DIR = '/usr/lib/postgresql';
const PROGRAMS = ['initdb', 'pg_ctl', 'postgres', 'pg_isready', 'createdb'] as const;
const DATABASE = 'coderunner_test';
const START_TIMEOUT_S = 30;
const READY_TIMEOUT_MS = 30_000;
const COMMAND_TIMEOUT_MS = 60_000;
/** A free port can be taken by someone else before the server binds it; try a few. */
const PORT_ATTEMPTS = 3;

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/coderunner_test` (trust authentication on loopback). */
  url: string;
  /** Stops the server (`pg_ctl stop -m immediate`) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<major>/bin holding initdb, pg_ctl and postgres; throws, saying how to get one. */
export function findPostgresBinDir(root = POSTGRES_LIB_DIR): string {
  let majors: string[] = [];
  try {
    majors = readdirSync(root).filter((name) => /^\d+(\.\d+)?$/.test(name));
  } catch {
    // no PostgreSQL at all: the error below
  }
  majors.sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(root, major, 'bin');
    if (PROGRAMS.every((program) => existsSync(join(bin, program)))) return bin;
  }
  throw new Error(
    `PostgreSQL's server programs (${PROGRAMS.join(', ')}) are not under ${root}/<version>/bin: run \`npm test\` once (its bootstrap installs postgresql), or \`npx tsx scripts/bootstrap/main.ts --skip-images --with-services\``,
  );
}

/** Creates a throw-away cluster, starts it on loopback and resolves once its test database exists. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBinDir();
  const owner = serverUser();
  const dir = await mkdtemp(join(tmpdir(), 'coderunner-pg-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  const log = join(dir, 'postgres.log');
  // Runs a server program as the cluster's owner.
  const asOwner = (program: string, args: readonly string[]) =>
    command(
      owner ? 'runuser' : join(bin, program),
      [...(owner ? ['-u', owner.name, '--', join(bin, program)] : []), ...args],
      dir,
    );
  try {
    await mkdir(sockets);
    if (owner) {
      await chown(dir, owner.uid, owner.gid);
      await chown(sockets, owner.uid, owner.gid);
    }
    await asOwner('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]).catch((err: Error) => {
      throw new Error(`initdb failed: ${err.message}`);
    });
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      // pg_ctl hands -o to the server through a shell; the directory is mkdtemp's, free of quotes.
      const options = [
        `-p ${port}`,
        `-k '${sockets}'`,
        "-c listen_addresses='127.0.0.1'",
        '-c fsync=off',
        '-c full_page_writes=off',
        '-c synchronous_commit=off',
      ].join(' ');
      const started = await asOwner('pg_ctl', [
        '-D',
        data,
        '-l',
        log,
        '-o',
        options,
        '-w',
        '-t',
        String(START_TIMEOUT_S),
        'start',
      ]).then(
        () => null,
        (err: Error) => err,
      );
      if (started === null) {
        const url = `postgres://postgres@127.0.0.1:${port}/${DATABASE}`;
        const stop = stopper(() => asOwner('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']), dir);
        try {
          await waitUntilReady(bin, port);
          await command(
            join(bin, 'createdb'),
            ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', DATABASE],
            dir,
          );
        } catch (err) {
          await stop();
          throw new Error(
            `PostgreSQL on 127.0.0.1:${port} did not come up: ${(err as Error).message}${logTail(log)}`,
          );
        }
        return { url, stop };
      }
      const tail = logTail(log);
      if (!/address already in use/i.test(tail) || attempt >= PORT_ATTEMPTS) {
        throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}: ${started.message}${tail}`);
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** As root, the `postgres` system user's ids (PostgreSQL will not run as root); null when we are not root. */
function serverUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const fields = line?.split(':');
  if (!fields || fields.length < 4) {
    throw new Error(
      'running as root, and there is no `postgres` system user to run PostgreSQL as (the postgresql package creates it): run `npm test` once, or apt-get install postgresql',
    );
  }
  return { name: 'postgres', uid: Number(fields[2]), gid: Number(fields[3]) };
}

async function waitUntilReady(bin: string, port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      await command(join(bin, 'pg_isready'), [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-t',
        '2',
      ]);
      return;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`pg_isready gave up after ${READY_TIMEOUT_MS} ms: ${last}`);
}

function stopper(stopServer: () => Promise<string>, dir: string): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  return () => {
    stopping ??= (async () => {
      // A server that is already gone makes pg_ctl fail; the directory goes all the same.
      await stopServer().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
}

/** The server log's last lines, as a suffix for an error message. */
function logTail(log: string): string {
  try {
    const lines = readFileSync(log, 'utf8').trim().split('\n').slice(-20);
    return lines.length > 0 && lines[0] !== '' ? `\nserver log:\n  ${lines.join('\n  ')}` : '';
  } catch {
    return '';
  }
}

/** Runs argv without a shell, bounded; rejects with the exit and the output when it fails. */
function command(file: string, args: readonly string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const output = `${stdout}${stderr}`.trim();
      reject(
        new Error(
          `${[file, ...args].join(' ')}: ${err.message.split('\n')[0]}${output ? `\n${output}` : ''}`,
        ),
      );
    });
  });
}
