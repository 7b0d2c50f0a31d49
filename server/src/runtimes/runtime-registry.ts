import type { SandboxDriver } from '../sandbox/sandbox.js';
import {
  IMAGE_LABELS,
  imageNameFor,
  loadRuntimeManifests,
  parseLibrariesLabel,
  type RuntimeLibrary,
  type RuntimeManifest,
} from './runtime-manifest.js';

/** A runtime whose image is present: its manifest plus what was read from the built image. */
export interface Runtime {
  language: string;
  displayName: string;
  version: string;
  aliases: readonly string[];
  extensions: readonly string[];
  image: string;
  manifest: RuntimeManifest;
  /** Read from the image's label (the bootstrap probes their packages). */
  libraries?: readonly RuntimeLibrary[];
}

/** The runtimes this server can run, looked up by language name or alias (case-insensitive). */
export class RuntimeRegistry {
  private readonly byName = new Map<string, Runtime>();

  /** Throws when two runtimes claim the same name or alias: one would silently shadow the other. */
  constructor(private readonly runtimes: readonly Runtime[]) {
    for (const runtime of runtimes) {
      for (const name of [runtime.language, ...runtime.aliases]) {
        const key = name.toLowerCase();
        const taken = this.byName.get(key);
        if (taken && taken !== runtime) {
          throw new Error(
            `"${name}" names both ${taken.language} and ${runtime.language}; aliases must be unique`,
          );
        }
        this.byName.set(key, runtime);
      }
    }
  }

  /** The runtime for a language name or alias, if enabled and built. */
  resolve(name: string): Runtime | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Every available runtime, sorted by language. */
  list(): readonly Runtime[] {
    return this.runtimes;
  }
}

export interface LoadedRuntimes {
  registry: RuntimeRegistry;
  /** Enabled languages that cannot run, each with the reason (missing image...). */
  unavailable: Array<{ language: string; reason: string }>;
}

/**
 * Loads runtimes/<language>/runtime.json for the enabled languages and reads each image's labels.
 * An unknown language in `enabled` is a configuration error; a missing image makes the language unavailable.
 */
export async function loadRuntimes(options: {
  runtimesDir: string;
  enabled: readonly string[];
  driver: Pick<SandboxDriver, 'inspectImage'>;
}): Promise<LoadedRuntimes> {
  const manifests = await loadRuntimeManifests(options.runtimesDir);
  const known = new Set(manifests.map((m) => m.language));
  const unknown = options.enabled.filter((l) => !known.has(l));
  if (unknown.length > 0) {
    throw new Error(
      `LANGUAGES names unknown runtimes: ${unknown.join(', ')} (known: ${[...known].join(', ')})`,
    );
  }
  const wanted =
    options.enabled.length > 0 ? manifests.filter((m) => options.enabled.includes(m.language)) : manifests;
  const runtimes: Runtime[] = [];
  const unavailable: LoadedRuntimes['unavailable'] = [];
  for (const manifest of wanted) {
    const image = imageNameFor(manifest.language);
    const labels = await options.driver.inspectImage(image);
    if (!labels) {
      unavailable.push({
        language: manifest.language,
        reason: `image ${image} is missing; build it with npm run images`,
      });
      continue;
    }
    runtimes.push({
      language: manifest.language,
      displayName: manifest.displayName,
      version: labels[IMAGE_LABELS.version] ?? 'unknown',
      libraries: parseLibrariesLabel(labels[IMAGE_LABELS.libraries]),
      aliases: manifest.aliases,
      extensions: manifest.extensions,
      image,
      manifest,
    });
  }
  return { registry: new RuntimeRegistry(runtimes), unavailable };
}
