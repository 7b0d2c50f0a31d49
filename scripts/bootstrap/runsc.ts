// gVisor's runsc, taken from Debian trixie whatever suite the host runs: trixie's runsc (2024-07-29) is a static
// binary that honours OCI seccomp profiles (--oci-seccomp), runs on the faster systrap platform and fixes bugs of
// bookworm's (2022-12-19). We do not install trixie's package on a bookworm host (that would mix suites in
// dpkg): apt downloads it, verified against the host's Debian keyring, through a private apt configuration that
// uses the same mirror as the host's own Debian sources, and the binary is extracted to RUNSC_PATH.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BootstrapError, findExecutable, run, runOrFail } from './util.js';
import type { Apt } from './util.js';

/** Where the extracted runsc lives; daemon.json points the runsc runtime here. */
export const RUNSC_PATH = '/usr/local/lib/coderunner/runsc';
/** The oldest runsc build (its version date) that has everything docs/security.md relies on. */
export const RUNSC_MIN_BUILD = 20240729;
const SUITE = 'trixie';
const APT_DIR = '/var/cache/coderunner/apt-trixie';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** The date part of `runsc --version` (`runsc version 0.0~20240729.0` -> 20240729), or null. */
export function runscBuild(versionOutput: string): number | null {
  const m = /runsc version \S*?(\d{8})/.exec(versionOutput);
  return m ? Number(m[1]) : null;
}

/** Makes sure RUNSC_PATH holds a runsc at least as new as RUNSC_MIN_BUILD; returns its version line. */
export async function ensureRunsc(apt: Apt): Promise<string> {
  const present = await installedVersion();
  if (present && (runscBuild(present) ?? 0) >= RUNSC_MIN_BUILD) return present;
  if (!findExecutable('dpkg-deb')) await apt.install(['dpkg']);
  const mirror = debianMirror();
  mkdirSync(join(APT_DIR, 'lists/partial'), { recursive: true });
  mkdirSync(join(APT_DIR, 'cache/archives/partial'), { recursive: true });
  writeFileSync(join(APT_DIR, 'sources.list'), `deb [signed-by=${KEYRING}] ${mirror} ${SUITE} main\n`);
  const options = [
    '-o', `Dir::Etc::SourceList=${join(APT_DIR, 'sources.list')}`,
    '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${join(APT_DIR, 'lists')}`,
    '-o', `Dir::Cache=${join(APT_DIR, 'cache')}`,
    '-o', 'Dir::State::status=/dev/null',
    '-o', 'APT::Sandbox::User=root',
  ]; // prettier-ignore
  console.log(`  fetching runsc from Debian ${SUITE} (the host's mirror, a private apt configuration)`);
  await runOrFail('apt-get', [...options, 'update'], `apt-get update (${SUITE})`, {
    echoPrefix: '    apt │ ',
  });
  const dir = await mkdtemp('/var/tmp/coderunner-runsc-');
  try {
    await runOrFail('sh', ['-c', 'cd "$1" && shift && exec apt-get "$@" download runsc', 'sh', dir, ...options],
      `apt-get download runsc (${SUITE})`, { echoPrefix: '    apt │ ' }); // prettier-ignore
    const deb = readdirSync(dir).find((f) => f.startsWith('runsc_') && f.endsWith('.deb'));
    if (!deb) throw new BootstrapError(`apt-get download left no runsc package in ${dir}`);
    await runOrFail('dpkg-deb', ['-x', join(dir, deb), join(dir, 'root')], `dpkg-deb -x ${deb}`);
    mkdirSync('/usr/local/lib/coderunner', { recursive: true });
    copyFileSync(join(dir, 'root/usr/bin/runsc'), `${RUNSC_PATH}.new`);
    chmodSync(`${RUNSC_PATH}.new`, 0o755);
    // Replace atomically: a running dockerd may start sandboxes with the old binary meanwhile.
    await runOrFail('mv', ['-f', `${RUNSC_PATH}.new`, RUNSC_PATH], `installing ${RUNSC_PATH}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const version = await installedVersion();
  if (!version || (runscBuild(version) ?? 0) < RUNSC_MIN_BUILD)
    throw new BootstrapError(
      `${RUNSC_PATH} reports "${version ?? 'nothing'}", older than ${RUNSC_MIN_BUILD}`,
      `check what Debian ${SUITE} ships as runsc`,
    );
  return version;
}

async function installedVersion(): Promise<string | null> {
  if (!existsSync(RUNSC_PATH)) return null;
  const result = await run(RUNSC_PATH, ['--version'], { timeoutMs: 10_000 });
  return result.code === 0 ? (result.stdout.split('\n')[0] ?? '').trim() : null;
}

/** The Debian mirror the host's own apt sources use (deb822 `.sources` or one-line `sources.list`). */
export function debianMirror(files: Record<string, string> = readAptSources()): string {
  for (const text of Object.values(files)) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const uris = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1] ?? '';
      if (uris && /\/debian\/?$/.test(uris) && !/-security|-updates|-backports/.test(suites.split(/\s+/)[0]!))
        return uris;
    }
    for (const line of text.split('\n')) {
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian\/?)\s+(\S+)/.exec(line.trim());
      if (m && !/-security|-updates|-backports/.test(m[2]!)) return m[1]!;
    }
  }
  throw new BootstrapError(
    'found no Debian mirror in the host apt sources',
    'add a Debian mirror to /etc/apt/sources.list(.d), or put a runsc (2024-07-29 or newer) at ' + RUNSC_PATH,
  );
}

function readAptSources(): Record<string, string> {
  const files: Record<string, string> = {};
  const add = (path: string) => {
    try {
      files[path] = readFileSync(path, 'utf8');
    } catch {
      // absent or unreadable: not a source
    }
  };
  add('/etc/apt/sources.list');
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir))
    for (const f of readdirSync(dir).sort())
      if (f.endsWith('.sources') || f.endsWith('.list')) add(join(dir, f));
  return files;
}
