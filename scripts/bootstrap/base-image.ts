// Step 2: the Debian trixie image every runtime Dockerfile starts FROM (their ARG BASE_IMAGE). Without a reachable
// image registry we build it from Debian's package mirrors with debootstrap and import it.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import {
  BootstrapError,
  findExecutable,
  formatTail,
  inspectImage,
  run,
  runOrFail,
  waitForExit,
} from './util.js';
import type { Apt, StepResult } from './util.js';

/** The Dockerfiles' default base, used when present or pullable. */
export const UPSTREAM_BASE = 'debian:trixie-slim';
/** The name of the base we build with debootstrap when the upstream one is unavailable. */
export const LOCAL_BASE = 'coderunner/base:trixie';
// A registry that is unreachable fails fast, but one that is filtered silently would hang the pull.
const PULL_TIMEOUT_MS = 20_000;

export interface BaseImage {
  name: string;
  id: string;
}

/** Picks (or pulls, or builds with debootstrap) the trixie base image; returns its name and image id. */
export async function ensureBaseImage(apt: Apt): Promise<StepResult<BaseImage>> {
  for (const name of [UPSTREAM_BASE, LOCAL_BASE]) {
    const found = await inspectImage(name);
    if (found) return { value: { name, id: found.id }, summary: `${name}, present (${shortId(found.id)})` };
  }
  console.log(`  docker pull ${UPSTREAM_BASE} (up to ${PULL_TIMEOUT_MS / 1000} s)`);
  const pull = await run('docker', ['pull', UPSTREAM_BASE], { timeoutMs: PULL_TIMEOUT_MS });
  const pulled = pull.code === 0 ? await inspectImage(UPSTREAM_BASE) : null;
  if (pulled) return { value: { name: UPSTREAM_BASE, id: pulled.id }, summary: `${UPSTREAM_BASE}, pulled` };
  console.log(
    `  pull failed (${pull.timedOut ? 'timed out' : (pull.tail.at(-1) ?? 'no output')}); building with debootstrap`,
  );
  const id = await buildWithDebootstrap(apt);
  return {
    value: { name: LOCAL_BASE, id },
    summary: `${LOCAL_BASE}, built with debootstrap (${shortId(id)})`,
  };
}

/** Builds a trixie minbase root with debootstrap and imports it as `name`; returns the image id. */
export async function buildWithDebootstrap(apt: Apt, name: string = LOCAL_BASE): Promise<string> {
  if (!findExecutable('debootstrap')) await apt.install(['debootstrap']);
  const debootstrap = findExecutable('debootstrap');
  if (!debootstrap)
    throw new BootstrapError('debootstrap not found after installing it', 'check `dpkg -L debootstrap`');
  // /var/tmp rather than /tmp: /tmp may be a small tmpfs, and the root filesystem is about 200 MB.
  const dir = await mkdtemp('/var/tmp/coderunner-base-');
  try {
    // No mirror argument: debootstrap's default mirror is the one Debian machines can reach.
    await runOrFail(debootstrap, ['--variant=minbase', 'trixie', dir], 'debootstrap', {
      echoPrefix: '    debootstrap │ ',
    });
    console.log(`  importing ${dir} as ${name}`);
    const tar = spawn('tar', ['--numeric-owner', '-C', dir, '-c', '.'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const imported = await run('docker', ['import', '-', name], { input: tar.stdout });
    const tarCode = await waitForExit(tar);
    if (tarCode !== 0 || imported.code !== 0) {
      throw new BootstrapError(
        `tar | docker import failed (tar exit ${tarCode}, import exit ${imported.code})`,
        formatTail(imported.tail),
      );
    }
  } finally {
    await removeTree(dir);
  }
  const image = await inspectImage(name);
  if (!image) throw new BootstrapError(`${name} missing right after docker import`, 'run this again');
  return image.id;
}

/** Removes the debootstrap tree, first unmounting anything a failed debootstrap left mounted inside it (e.g. /proc). */
async function removeTree(dir: string): Promise<void> {
  for (const target of (await mountsUnder(dir)).reverse()) await run('umount', ['-l', target]);
  const left = await mountsUnder(dir);
  if (left.length > 0) {
    // Deleting through a live mount would delete the mounted filesystem's files, so leave the tree alone.
    console.warn(`  warning: ${left.join(', ')} still mounted; not deleting ${dir}`);
    return;
  }
  await rm(dir, { recursive: true, force: true });
}

async function mountsUnder(dir: string): Promise<string[]> {
  return (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((target) => target === dir || target.startsWith(`${dir}/`));
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
