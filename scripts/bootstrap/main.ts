// The bootstrap behind `npm start`, `npm test` and `npm run images`: brings a fresh Debian machine (as root) to the
// point where the server can run sandboxes. Every step is idempotent, so a second run only checks and skips.
//
//   tsx scripts/bootstrap/main.ts                 engine, base image, agent, runtime images
//   tsx scripts/bootstrap/main.ts --images-only   the same steps; named for `npm run images`, which builds the
//                                                 images without starting anything (the other steps are their inputs)
//   tsx scripts/bootstrap/main.ts --skip-images   engine, base image and agent only, for quick server work
//   tsx scripts/bootstrap/main.ts --with-browser  also Debian's chromium for the editor's e2e tests (npm test)
//   tsx scripts/bootstrap/main.ts --with-services also Debian's redis-server, postgresql and docker-compose, for
//                                                 the tests that start their own Redis and PostgreSQL (npm test);
//                                                 installed only, never started (npm start needs none of them)
//
// Environment: LANGUAGES=python,javascript (default: every runtimes/<language>/runtime.json),
//              SANDBOX_RUNTIME=runsc (register gVisor with dockerd; default runc).
import { fileURLToPath } from 'node:url';
import { loadRuntimeManifests } from '../../server/src/runtimes/runtime-manifest.js';
import { buildAgent } from './agent.js';
import { ensureBaseImage } from './base-image.js';
import { ensureBrowser } from './browser.js';
import { ensureDockerEngine } from './docker-engine.js';
import { selectLanguages } from './runtime-inputs.js';
import { ensureRuntimeImage, pruneRuntimeImages } from './runtime-images.js';
import { ensureServices } from './services.js';
import { BootstrapError, createApt, secondsSince, step, StepFailed } from './util.js';

const USAGE =
  'usage: tsx scripts/bootstrap/main.ts [--images-only | --skip-images] [--with-browser] [--with-services]';

interface Flags {
  skipImages: boolean;
  withBrowser: boolean;
  withServices: boolean;
}

function parseFlags(argv: readonly string[]): Flags | null {
  const flags: Flags = { skipImages: false, withBrowser: false, withServices: false };
  for (const arg of argv) {
    if (arg === '--skip-images') flags.skipImages = true;
    else if (arg === '--with-browser') flags.withBrowser = true;
    else if (arg === '--with-services') flags.withServices = true;
    else if (arg === '--images-only')
      flags.skipImages = false; // every step before the images is one of their inputs
    else return null;
  }
  return flags;
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parseFlags(argv);
  if (!flags) {
    console.error(USAGE);
    return 2;
  }
  const started = Date.now();
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const apt = createApt();
  try {
    await step('docker engine', () => ensureDockerEngine({ apt, sandboxRuntime: env.SANDBOX_RUNTIME }));
    const base = await step('base image', () => ensureBaseImage(apt));
    const agentPath = await step('agent', () => buildAgent(repoRoot, apt));
    if (!flags.skipImages) {
      const manifests = await step('runtimes', async () => {
        const all = await loadRuntimeManifests(`${repoRoot}runtimes`).catch((err: Error) => {
          throw new BootstrapError(err.message, 'fix that runtime folder (each needs a valid runtime.json)');
        });
        const chosen = selectLanguages(
          env.LANGUAGES,
          all.map((m) => m.language),
        );
        const value = all.filter((m) => chosen.includes(m.language));
        return {
          value,
          summary: `${value.map((m) => m.language).join(', ')}${env.LANGUAGES ? ' (LANGUAGES)' : ''}`,
        };
      });
      // One at a time: builds are CPU- and network-bound and the machine has two cores.
      for (const manifest of manifests) {
        await step(manifest.language, () => ensureRuntimeImage({ repoRoot, manifest, base, agentPath }));
      }
      await step('old images', () => pruneRuntimeImages());
    }
    if (flags.withBrowser) await step('browser', () => ensureBrowser(apt));
    if (flags.withServices) await step('services', () => ensureServices(apt));
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
    console.error(`✗ bootstrap failed after ${secondsSince(started)}`);
    return 1;
  }
  console.log(`✓ bootstrap done in ${secondsSince(started)}${flags.skipImages ? ' (images skipped)' : ''}`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2), process.env);
