// Step 4: one Docker image per enabled language, rebuilt only when its inputs (runtime folder, agent, base) change.
// The image carries its language, version and input hash as labels, which the server reads at start-up.
import { chmod, copyFile, cp, mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  IMAGE_LABELS,
  imageNameFor,
  parseVersion,
  upstreamVersion,
} from '../../server/src/runtimes/runtime-manifest.js';
import type { RuntimeLibrary, RuntimeManifest } from '../../server/src/runtimes/runtime-manifest.js';
import type { BaseImage } from './base-image.js';
import { computeRuntimeHash, EXCLUDED_DIRS } from './runtime-inputs.js';
import { BootstrapError, describeExit, formatTail, inspectImage, run, runOrFail } from './util.js';
import type { StepResult } from './util.js';

// The classic builder, explicitly: BuildKit (when a client has buildx) would need an entitlement for --network host
// and prints progress in a form that does not stream line by line.
const BUILD_ENV = { ...process.env, DOCKER_BUILDKIT: '0' };

export interface RuntimeImageInputs {
  repoRoot: string;
  manifest: RuntimeManifest;
  base: BaseImage;
  /** The agent binary to copy in; a parameter so tests can use a stand-in. */
  agentPath: string;
}

/** The temporary tag an image has between `docker build` and labelling: coderunner/python:latest -> …:stage1. */
export function stageTagFor(image: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  // A colon before the last slash belongs to a registry port, not to a tag.
  const repository = colon > slash ? image.slice(0, colon) : image;
  return `${repository}:stage1`;
}

/** Builds (or confirms up to date) the image of one language and returns its version. */
export async function ensureRuntimeImage(inputs: RuntimeImageInputs): Promise<StepResult<string>> {
  const { repoRoot, manifest, base, agentPath } = inputs;
  const language = manifest.language;
  const runtimeDir = join(repoRoot, 'runtimes', language);
  const image = imageNameFor(language);
  const hash = await computeRuntimeHash(runtimeDir, agentPath, base.id);
  const existing = await inspectImage(image);
  const existingVersion = existing?.labels[IMAGE_LABELS.version];
  if (existing && existing.labels[IMAGE_LABELS.hash] === hash && existingVersion) {
    return { value: existingVersion, summary: `${existingVersion}, up to date` };
  }
  const reason = existing ? 'inputs changed' : 'no image yet';
  console.log(`  building ${image} (${reason}) from ${relative(repoRoot, runtimeDir)} on ${base.name}`);

  const context = join(repoRoot, 'build', 'contexts', language);
  await assembleContext(runtimeDir, agentPath, context);
  const stage = stageTagFor(image);
  // --force-rm: the classic builder otherwise keeps the container of a failed step around forever.
  const buildFlags = ['--force-rm', '--network', 'host', '--build-arg', `BASE_IMAGE=${base.name}`];
  const buildStarted = Date.now();
  const build = await run('docker', ['build', ...buildFlags, '-t', stage, context], {
    env: BUILD_ENV,
    echoPrefix: `    ${language} │ `,
  });
  if (build.code !== 0) {
    throw new BootstrapError(
      `docker build of ${language} failed (${describeExit(build)})`,
      formatTail(build.tail),
    );
  }

  const buildSeconds = ((Date.now() - buildStarted) / 1000).toFixed(1);
  const version = await probeVersion(manifest, stage);
  const libraries = await probeLibraries(manifest, stage);
  const labels = [
    [IMAGE_LABELS.language, language],
    [IMAGE_LABELS.version, version],
    [IMAGE_LABELS.hash, hash],
    [IMAGE_LABELS.libraries, JSON.stringify(libraries)],
    [IMAGE_LABELS.buildSeconds, buildSeconds],
  ]
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(' ');
  // Labels go on in a second, instant build so that the version can come from the built image itself.
  await runOrFail('docker', ['build', '-t', image, '-'], `labelling ${image}`, {
    env: BUILD_ENV,
    input: `FROM ${stage}\nLABEL ${labels}\n`,
  });
  // Untags only: the labelled image is built on top of it, so no layer goes away.
  await runOrFail('docker', ['rmi', stage], `removing the ${stage} tag`);
  const listed = libraries.map((l) => `${l.name} ${l.version}`).join(', ');
  const size = ((await inspectImage(image))?.sizeBytes ?? 0) / 1e6;
  return {
    value: version,
    summary:
      `${version}, built ${image} (${reason}) in ${buildSeconds} s, ${size.toFixed(0)} MB` +
      `${listed ? `; libraries: ${listed}` : ''}`,
  };
}

/** Recreates build/contexts/<language>: the runtime folder minus tests/, plus the agent as coderunner-agent. */
async function assembleContext(runtimeDir: string, agentPath: string, context: string): Promise<void> {
  await rm(context, { recursive: true, force: true });
  await mkdir(context, { recursive: true });
  await cp(runtimeDir, context, {
    recursive: true,
    filter: (source) => !EXCLUDED_DIRS.has(relative(runtimeDir, source)),
  });
  const target = join(context, 'coderunner-agent');
  await copyFile(agentPath, target);
  // COPY keeps the mode, and the agent is the image's entrypoint.
  await chmod(target, 0o755);
}

/** The versions of the Debian packages behind runtime.json's libraries, read with dpkg-query in the image. */
async function probeLibraries(manifest: RuntimeManifest, image: string): Promise<RuntimeLibrary[]> {
  const entries = Object.entries(manifest.libraries);
  if (entries.length === 0) return [];
  const packages = [...new Set(entries.map(([, pkg]) => pkg))];
  const result = await run(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'dpkg-query',
      image,
      '-W',
      '-f',
      '${Package}\t${Version}\n',
      ...packages,
    ],
    { timeoutMs: 60_000 },
  );
  const versions = new Map(
    result.stdout
      .split('\n')
      .map((line) => line.split('\t'))
      .filter((parts): parts is [string, string] => parts.length === 2 && parts[1] !== ''),
  );
  const missing = packages.filter((p) => !versions.has(p));
  if (result.code !== 0 || missing.length > 0) {
    throw new BootstrapError(
      `runtime.json of ${manifest.language} lists libraries whose packages are not installed: ${missing.join(', ')}`,
      `install them in runtimes/${manifest.language}/Dockerfile or fix "libraries"; ${formatTail(result.tail)}`,
    );
  }
  return entries.map(([name, pkg]) => ({ name, version: upstreamVersion(versions.get(pkg)!) }));
}

/** Runs the manifest's versionCommand in the freshly built image and extracts its version number. */
async function probeVersion(manifest: RuntimeManifest, image: string): Promise<string> {
  const [program, ...args] = manifest.versionCommand;
  if (program === undefined) throw new BootstrapError('versionCommand is empty', 'fix runtime.json');
  const result = await run(
    'docker',
    ['run', '--rm', '--network', 'none', '--entrypoint', program, image, ...args],
    {
      timeoutMs: 60_000,
    },
  );
  const output = `${result.stdout}\n${result.stderr}`;
  const version = result.code === 0 ? parseVersion(output) : null;
  if (version === null) {
    throw new BootstrapError(
      `\`${manifest.versionCommand.join(' ')}\` gave no version (${describeExit(result)})`,
      `fix versionCommand in runtimes/${manifest.language}/runtime.json or the Dockerfile; ${formatTail(result.tail)}`,
    );
  }
  return version;
}

/** Removes runtime images left dangling by rebuilds (only ours: they carry the language label) so disk stays flat. */
export async function pruneRuntimeImages(): Promise<StepResult<void>> {
  const result = await runOrFail(
    'docker',
    ['image', 'prune', '--force', '--filter', `label=${IMAGE_LABELS.language}`],
    'docker image prune',
  );
  const reclaimed = /Total reclaimed space:\s*(\S+)/.exec(result.stdout)?.[1] ?? '0B';
  const removed = result.stdout.split('\n').filter((line) => /^deleted:/i.test(line)).length;
  return {
    value: undefined,
    summary:
      removed === 0
        ? 'nothing to remove'
        : `removed ${removed} old image${removed === 1 ? '' : 's'}, ${reclaimed} reclaimed`,
  };
}
