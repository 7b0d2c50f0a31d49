// Optional step (--with-services, which `npm test` passes): Debian's Redis, PostgreSQL and docker-compose for the
// tests of the distributed deployment. Only the programs are wanted: the tests start their own servers on loopback
// ports in temporary folders (server/test/support/), so nothing here starts or enables a system service. Debian's
// maintainer scripts start a freshly installed daemon through invoke-rc.d, which first asks /usr/sbin/policy-rc.d;
// while installing we make that answer 101 ("action forbidden") and afterwards put back whatever was there.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BootstrapError, findExecutable, run } from './util.js';
import type { Apt, StepResult } from './util.js';

/** Where the Redis test helper (server/test/support/redis-server.ts) expects the server. */
export const REDIS_SERVER_PATH = '/usr/bin/redis-server';
/** Debian installs each PostgreSQL major under /usr/lib/postgresql/<major>/bin. */
export const POSTGRES_LIB_DIR = '/usr/lib/postgresql';
const POSTGRES_PROGRAMS = ['initdb', 'pg_ctl', 'postgres', 'pg_isready', 'createdb'];

const POLICY_RC_D = '/usr/sbin/policy-rc.d';
const POLICY_SAVED = `${POLICY_RC_D}.coderunner-saved`;
const POLICY_MARKER = '# written by coderunner scripts/bootstrap/services.ts';
const POLICY_DENY = `#!/bin/sh\n${POLICY_MARKER}: keep apt from starting daemons\nexit 101\n`;

/** A program the step makes sure of, and the Debian package that brings it. */
interface Wanted {
  name: string;
  apt: string;
  present(): string | null;
  /** The init script / systemd unit the package would start, so it can be left (or put back) stopped. */
  unit?: string;
}

const WANTED: readonly Wanted[] = [
  {
    name: 'redis',
    apt: 'redis-server',
    present: () => (existsSync(REDIS_SERVER_PATH) ? REDIS_SERVER_PATH : null),
    unit: 'redis-server',
  },
  { name: 'postgresql', apt: 'postgresql', present: () => findPostgresBinDir(), unit: 'postgresql' },
  { name: 'docker-compose', apt: 'docker-compose', present: () => findExecutable('docker-compose') },
];

/** The newest /usr/lib/postgresql/<major>/bin that holds every program the test helper runs, or null. */
export function findPostgresBinDir(root = POSTGRES_LIB_DIR): string | null {
  let majors: string[];
  try {
    majors = readdirSync(root).filter((name) => /^\d+(\.\d+)?$/.test(name));
  } catch {
    return null;
  }
  majors.sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(root, major, 'bin');
    if (POSTGRES_PROGRAMS.every((program) => existsSync(join(bin, program)))) return bin;
  }
  return null;
}

/** Installs redis-server, postgresql and docker-compose where missing, without starting any of their daemons. */
export async function ensureServices(apt: Apt): Promise<StepResult<void>> {
  const missing = WANTED.filter((w) => w.present() === null);
  if (missing.length > 0) {
    await withDaemonStartsForbidden(() => apt.install(missing.map((w) => w.apt)));
    await stopInstalledDaemons(missing);
    const stillMissing = missing.filter((w) => w.present() === null);
    if (stillMissing.length > 0) {
      throw new BootstrapError(
        `${stillMissing.map((w) => w.apt).join(', ')} installed but ${stillMissing.map((w) => w.name).join(', ')} not found`,
        `check \`dpkg -L ${stillMissing.map((w) => w.apt).join(' ')}\``,
      );
    }
  }
  const installed = new Set(missing.map((w) => w.name));
  const parts = await Promise.all(
    WANTED.map(
      async (w) => `${w.name} ${installed.has(w.name) ? 'installed' : 'present'} (${await versionOf(w)})`,
    ),
  );
  return { value: undefined, summary: parts.join(', ') };
}

/**
 * Runs `body` with a policy-rc.d that forbids every daemon start. A policy that already forbids everything is
 * left alone; another one is moved aside and put back afterwards. A run killed half-way leaves ours and the saved
 * one behind, which the next run recognises by the marker and puts right first.
 */
async function withDaemonStartsForbidden(body: () => Promise<void>): Promise<void> {
  restoreSavedPolicy();
  if (existsSync(POLICY_RC_D) && (await policyForbidsStarts())) return body();
  const hadPolicy = existsSync(POLICY_RC_D);
  if (hadPolicy) renameSync(POLICY_RC_D, POLICY_SAVED);
  writeFileSync(POLICY_RC_D, POLICY_DENY, { mode: 0o755 });
  try {
    await body();
  } finally {
    rmSync(POLICY_RC_D, { force: true });
    if (hadPolicy) renameSync(POLICY_SAVED, POLICY_RC_D);
  }
}

/** Puts back a policy-rc.d an interrupted earlier run moved aside (only when ours is still in its place). */
function restoreSavedPolicy(): void {
  if (!existsSync(POLICY_SAVED)) return;
  const current = existsSync(POLICY_RC_D) ? readFileSync(POLICY_RC_D, 'utf8') : '';
  if (current !== '' && !current.includes(POLICY_MARKER)) return; // someone wrote a new one since: keep theirs
  renameSync(POLICY_SAVED, POLICY_RC_D);
}

async function policyForbidsStarts(): Promise<boolean> {
  // invoke-rc.d calls it as `policy-rc.d <script> <action>`; 101 means "forbidden".
  const answers = await Promise.all(
    ['redis-server', 'postgresql'].map((unit) => run(POLICY_RC_D, [unit, 'start'], { timeoutMs: 10_000 })),
  );
  return answers.every((r) => r.code === 101);
}

/**
 * Belt and braces after the install: on a machine with systemd the packages' units are enabled whatever
 * policy-rc.d says, so disable them (and stop them, should something have started them); on one without, stop a
 * daemon the package's init script may have started all the same. Only for packages this run installed.
 */
async function stopInstalledDaemons(installed: readonly Wanted[]): Promise<void> {
  const units = installed.flatMap((w) => (w.unit ? [w.unit] : []));
  if (units.length === 0) return;
  if (existsSync('/run/systemd/system')) {
    await run('systemctl', ['disable', '--now', ...units], { timeoutMs: 60_000 });
    return;
  }
  for (const unit of units) {
    if (!existsSync(`/etc/init.d/${unit}`)) continue;
    const status = await run(`/etc/init.d/${unit}`, ['status'], { timeoutMs: 20_000 });
    if (status.code === 0) await run(`/etc/init.d/${unit}`, ['stop'], { timeoutMs: 60_000 });
  }
}

async function versionOf(wanted: Wanted): Promise<string> {
  const where = wanted.present();
  if (where === null) return 'missing';
  const program = wanted.name === 'postgresql' ? join(where, 'postgres') : where;
  const result = await run(program, ['--version'], { timeoutMs: 20_000 });
  const line = result.stdout.trim().split('\n')[0];
  return result.code === 0 && line ? line : where;
}
