// Step 1: make sure a Docker daemon answers. On a fresh Debian machine (root) that means installing docker.io and
// starting dockerd ourselves: there may be no init system, so we run it detached with its output in a log file.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureRunsc, RUNSC_PATH } from './runsc.js';
import { BootstrapError, findExecutable, isRootOnDebian, run } from './util.js';
import type { Apt, StepResult } from './util.js';

const PID_FILE = '/var/run/docker.pid';
const LOG_FILE = '/var/log/coderunner-dockerd.log';
const DAEMON_JSON = '/etc/docker/daemon.json';
// No bridge network and no iptables: sandboxes run with --network none, and the machine may not allow iptables.
const DOCKERD_ARGS = ['--bridge=none', '--iptables=false', '--ip-masq=false'];
// runsc refuses to start in the root network namespace without --network=none (see DOCKER-NOTES.md);
// --oci-seccomp makes it apply the container's seccomp profile (ours, server/src/sandbox/seccomp.json) inside the
// sandbox too. The platform is runsc's default (systrap). docs/security.md has the reasons.
const RUNSC_ENTRY = { path: RUNSC_PATH, runtimeArgs: ['--network=none', '--oci-seccomp'] };
// No userns-remap: a remapping engine refuses `docker build --network host`, which the runtime images need for
// apt (there is no bridge network here), and under runc a user namespace would pool per-user kernel quotas of
// every container under its owner (docs/security.md). Each container gets its own unprivileged uid instead.
const START_TIMEOUT_MS = 30_000;

export interface EngineOptions {
  apt: Apt;
  /** SANDBOX_RUNTIME: unset or "runc" for Docker's default, "runsc" to register gVisor. */
  sandboxRuntime?: string | undefined;
}

/** Makes sure a Docker daemon answers, installing and starting Debian's docker.io when it does not. */
export async function ensureDockerEngine({ apt, sandboxRuntime }: EngineOptions): Promise<StepResult<void>> {
  if (sandboxRuntime && sandboxRuntime !== 'runc' && sandboxRuntime !== 'runsc') {
    throw new BootstrapError(
      `unknown SANDBOX_RUNTIME "${sandboxRuntime}"`,
      'use runc (the default) or runsc',
    );
  }
  const wantRunsc = sandboxRuntime === 'runsc';
  let version = await daemonVersion();
  if (version && (!wantRunsc || (await daemonHasRunsc()))) {
    return {
      value: undefined,
      summary: `running, ${version}${wantRunsc ? ', runsc registered' : ''}`,
    };
  }
  if (!isRootOnDebian()) {
    throw new BootstrapError(
      version
        ? 'SANDBOX_RUNTIME=runsc but the daemon has no runsc runtime'
        : 'the Docker daemon does not answer',
      version
        ? `install gVisor (runsc ${RUNSC_PATH}, 2024-07-29 or newer), set ${DAEMON_JSON} to include ${JSON.stringify({ runtimes: { runsc: RUNSC_ENTRY } })} without userns-remap, restart dockerd`
        : 'install Docker (e.g. the docker.io package) and start its daemon, or run this as root on Debian to have it done',
    );
  }
  if (!version && !findExecutable('dockerd')) {
    await apt.install(['docker.io']);
    version = await daemonVersion(); // where an init system exists, the package starts the daemon itself
  }
  let action = 'running';
  if (wantRunsc) {
    const changed = await configureRunsc(apt);
    // A daemon still answering here lacks runsc; it reads daemon.json only at start, so restart it. Normally we
    // just wrote the file; if someone else did, the daemon needs the restart all the same.
    if (version) {
      await stopDockerd(changed ? `to load the new ${DAEMON_JSON}` : `it predates ${DAEMON_JSON}`);
      version = null;
      action = 'restarted for runsc';
    }
  }
  if (!version) {
    version = await startDockerd();
    if (action === 'running') action = 'started';
  }
  if (wantRunsc && !(await daemonHasRunsc())) {
    throw new BootstrapError(
      'dockerd did not pick up the runsc runtime or its flags, or still remaps users',
      `check ${DAEMON_JSON} and ${LOG_FILE}`,
    );
  }
  const where = action === 'running' ? '' : `, log ${LOG_FILE}`;
  return {
    value: undefined,
    summary: `${action}, ${version}${wantRunsc ? ', runsc registered' : ''}${where}`,
  };
}

/** Returns the daemon's version when `docker info` answers, else null. */
async function daemonVersion(): Promise<string | null> {
  const result = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 10_000 });
  const version = result.stdout.trim();
  return result.code === 0 && version !== '' ? version : null;
}

/** True when the daemon runs our runsc with our flags and does not remap users (see daemonMatches). */
async function daemonHasRunsc(): Promise<boolean> {
  const result = await run('docker', ['info', '--format', '{{json .Runtimes}}\n{{json .SecurityOptions}}'], {
    timeoutMs: 10_000,
  });
  if (result.code !== 0) return false;
  const [runtimes, security] = result.stdout.trim().split('\n');
  return daemonMatches(JSON.parse(runtimes || '{}'), JSON.parse(security || '[]'));
}

/** Whether `docker info`'s Runtimes and SecurityOptions show RUNSC_ENTRY and no user-namespace remapping. */
export function daemonMatches(runtimes: unknown, securityOptions: unknown): boolean {
  const runsc = isObject(runtimes) ? runtimes.runsc : undefined;
  return (
    isObject(runsc) &&
    runsc.path === RUNSC_ENTRY.path &&
    isDeepStrictEqual(runsc.runtimeArgs, RUNSC_ENTRY.runtimeArgs) &&
    Array.isArray(securityOptions) &&
    !securityOptions.includes('name=userns')
  );
}

/** Starts dockerd detached (own session, output to LOG_FILE) and waits until it answers; returns its version. */
async function startDockerd(): Promise<string> {
  const pid = readDockerdPid();
  const alreadyStarting = pid !== null && isDockerdAlive(pid);
  // A pid file left by a killed daemon must go: dockerd refuses to start while it names a live process, and the
  // pid may since have been reused by something else.
  if (!alreadyStarting && existsSync(PID_FILE)) rmSync(PID_FILE, { force: true });
  const logOffset = existsSync(LOG_FILE) ? statSync(LOG_FILE).size : 0;
  let exited: string | null = null;
  if (!alreadyStarting) {
    const dockerd = findExecutable('dockerd');
    if (!dockerd)
      throw new BootstrapError('dockerd not found after installing docker.io', 'check `dpkg -L docker.io`');
    console.log(`  starting ${dockerd} ${DOCKERD_ARGS.join(' ')} (log: ${LOG_FILE})`);
    const log = openSync(LOG_FILE, 'a');
    const child = spawn(dockerd, DOCKERD_ARGS, { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.on('error', (err) => (exited = err.message));
    child.on('exit', (code, signal) => (exited = `exit ${code ?? signal}`));
    // The daemon must outlive this script, so nothing here may keep a reference that Node waits for.
    child.unref();
  } else {
    console.log(`  dockerd (pid ${pid}) is alive but not answering yet; waiting for it`);
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && exited === null) {
    const version = await daemonVersion();
    if (version) return version;
    // The daemon we waited for was shutting down, not starting (a restart): start a fresh one once it is gone.
    if (alreadyStarting && pid !== null && !isDockerdAlive(pid)) {
      console.log(`  dockerd (pid ${pid}) exited instead of answering; starting a new one`);
      return startDockerd();
    }
    await sleep(250);
  }
  // `exited` is set by the child's event handlers, which the compiler's flow analysis does not see.
  const why = exited as string | null;
  throw new BootstrapError(
    why === null ? `dockerd did not answer within ${START_TIMEOUT_MS / 1000} s` : `dockerd stopped (${why})`,
    `fix what its log says, then run this again; ${LOG_FILE} ends with:\n${logTail(logOffset)}`,
  );
}

/** Stops the dockerd named in the pid file (SIGTERM) and waits for it to exit, so it can restart with new config. */
async function stopDockerd(why: string): Promise<void> {
  const pid = readDockerdPid();
  if (pid === null || !isDockerdAlive(pid)) {
    throw new BootstrapError(
      `dockerd must restart to load runsc, but ${PID_FILE} names no running dockerd`,
      'restart dockerd yourself',
    );
  }
  console.log(`  stopping dockerd (pid ${pid}): ${why}`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (isDockerdAlive(pid)) {
    if (Date.now() > deadline)
      throw new BootstrapError(`dockerd (pid ${pid}) did not exit after SIGTERM`, 'stop it yourself');
    await sleep(200);
  }
}

/** Installs runsc if needed and registers it in daemon.json (without userns-remap); true when the file changed. */
async function configureRunsc(apt: Apt): Promise<boolean> {
  console.log(`  ${await ensureRunsc(apt)} at ${RUNSC_PATH}`);
  let existing: unknown = {};
  if (existsSync(DAEMON_JSON)) {
    try {
      existing = JSON.parse(readFileSync(DAEMON_JSON, 'utf8'));
    } catch (err) {
      throw new BootstrapError(
        `cannot parse ${DAEMON_JSON}: ${(err as Error).message}`,
        'fix or remove the file',
      );
    }
  }
  const { config, changed } = withRunscRuntime(existing);
  if (changed) {
    mkdirSync('/etc/docker', { recursive: true });
    writeFileSync(DAEMON_JSON, `${JSON.stringify(config, null, 2)}\n`);
    console.log(
      `  registered runsc in ${DAEMON_JSON}${'userns-remap' in (existing as object) ? ' and removed userns-remap (image builds need the host network, which a remapping engine refuses)' : ''}`,
    );
  }
  return changed;
}

/**
 * Merges the runsc runtime into a parsed daemon.json, keeping every other key but `userns-remap` (see the note at
 * the top); `changed` says if it differed.
 */
export function withRunscRuntime(existing: unknown): { config: Record<string, unknown>; changed: boolean } {
  const config = isObject(existing) ? { ...existing } : {};
  const runtimes = isObject(config.runtimes) ? config.runtimes : {};
  let changed = false;
  if (!isDeepStrictEqual(runtimes.runsc, RUNSC_ENTRY)) {
    config.runtimes = { ...runtimes, runsc: RUNSC_ENTRY };
    changed = true;
  }
  if ('userns-remap' in config) {
    delete config['userns-remap'];
    changed = true;
  }
  return { config, changed };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readDockerdPid(): number | null {
  try {
    const pid = Number.parseInt(readFileSync(PID_FILE, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True when pid is a running dockerd; a zombie counts as gone (PID 1 here may never reap it). */
function isDockerdAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X' && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dockerd';
  } catch {
    return false;
  }
}

function logTail(fromOffset: number): string {
  try {
    const text = readFileSync(LOG_FILE).subarray(fromOffset).toString('utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    return (
      lines
        .slice(-15)
        .map((l) => `    ${l}`)
        .join('\n') || '    (nothing)'
    );
  } catch {
    return '    (no log file)';
  }
}
