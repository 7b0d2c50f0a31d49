import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** Labels every runtime image carries; the bootstrap writes them, the server reads them. */
export const IMAGE_LABELS = {
  language: 'coderunner.language',
  version: 'coderunner.version',
  hash: 'coderunner.hash',
  /** JSON: [{ name, version }] of the libraries runtime.json lists, read from the image's packages. */
  libraries: 'coderunner.libraries',
  /** Seconds the image's last build took (`docker build`, cached layers included). */
  buildSeconds: 'coderunner.build-seconds',
} as const;

/** The image tag of a runtime: one image per language, rebuilt in place when its inputs change. */
export function imageNameFor(language: string): string {
  return `coderunner/${language}:latest`;
}

const commandSchema = z
  .array(z.string().min(1))
  .min(1)
  .describe(
    'argv; placeholders: {entry} entry file, {entryStem} entry without extension, {files} every file, {files:.ext} files with that extension, {args} the request args',
  );

const limitsSchema = z
  .object({
    memoryMb: z.number().int().positive().optional(),
    pids: z.number().int().positive().optional(),
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();

const prestartSchema = z
  .object({
    command: z
      .array(z.string().min(1))
      .min(1)
      .describe('the launcher: started before the request, as the runner uid, with the first stage env and limits'),
    replaces: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'the start of the first stage (`compile`, else `run`) it stands in for; a first stage whose argv is this plus more is handed over',
      ),
  })
  .strict();

/** Schema of runtimes/<language>/runtime.json. */
export const runtimeManifestSchema = z
  .object({
    language: z.string().regex(/^[a-z][a-z0-9+-]*$/),
    displayName: z.string().min(1),
    aliases: z.array(z.string().min(1)).default([]),
    extensions: z.array(z.string().regex(/^[a-z0-9+]+$/i)).min(1),
    versionCommand: z.array(z.string().min(1)).min(1),
    compile: commandSchema.nullable().default(null),
    run: commandSchema,
    env: z.record(z.string(), z.string()).default({}),
    limits: limitsSchema.default({}),
    compileLimits: limitsSchema.default({}),
    /** Libraries a program can use, by name, with the Debian package that brings each (its version is listed). */
    libraries: z.record(z.string().min(1), z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/)).default({}),
    /** A pre-started process for the first stage, the compile or else the run (agent/prestart.c). */
    prestart: prestartSchema.nullable().default(null),
  })
  .strict()
  .refine((m) => !m.prestart || m.prestart.replaces.every((arg, i) => (m.compile ?? m.run)[i] === arg), {
    message: 'prestart.replaces must be the start of the first stage: compile when there is one, else run',
  });

export type RuntimeManifest = z.infer<typeof runtimeManifestSchema>;

/** Reads and validates every runtimes/<dir>/runtime.json under `runtimesDir`, sorted by language. */
export async function loadRuntimeManifests(runtimesDir: string): Promise<RuntimeManifest[]> {
  const entries = await readdir(runtimesDir, { withFileTypes: true });
  const manifests: RuntimeManifest[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const file = join(runtimesDir, entry.name, 'runtime.json');
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read ${file}: ${(err as Error).message}`);
    }
    const parsed = runtimeManifestSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new Error(`invalid ${file}: ${problems.join('; ')}`);
    }
    if (parsed.data.language !== entry.name) {
      throw new Error(
        `invalid ${file}: language "${parsed.data.language}" must match its folder "${entry.name}"`,
      );
    }
    manifests.push(parsed.data);
  }
  return manifests.sort((a, b) => a.language.localeCompare(b.language));
}

/** Extracts the first dotted version number from a version command's output ("Python 3.13.5" -> "3.13.5"). */
export function parseVersion(output: string): string | null {
  const match = /\d+(?:\.\d+)+/.exec(output);
  return match ? match[0] : null;
}

/** The request fields that pass extra options to a runtime's compiler, linker or interpreter. */
export const EXTRA_ARGS = ['compileArgs', 'linkArgs', 'interpreterArgs'] as const;
export type ExtraArgs = (typeof EXTRA_ARGS)[number];

/**
 * Whether a runtime takes the request's extra compiler, linker or interpreter options: only where its compile
 * command (compileArgs, linkArgs) or run command (interpreterArgs) has the placeholder, so the options land where
 * the tool reads them (not in front of `go build`, say).
 */
export function acceptsExtraArgs(
  runtime: { manifest: Pick<RuntimeManifest, 'compile' | 'run'> },
  which: ExtraArgs,
): boolean {
  const command = which === 'interpreterArgs' ? runtime.manifest.run : runtime.manifest.compile;
  return command?.includes(`{${which}}`) ?? false;
}

/** One library of a runtime, as `GET /api/v1/runtimes` lists it. */
export interface RuntimeLibrary {
  name: string;
  version: string;
}

/**
 * The upstream part of a Debian version (`1:2.2.4+ds-1` → `2.2.4`): no epoch, no Debian revision, no
 * repackaging suffix.
 */
export function upstreamVersion(debian: string): string {
  return debian
    .replace(/^\d+:/, '')
    .replace(/-[^-]*$/, '')
    .replace(/[+~](dfsg|ds|repack)\d*.*$/, '');
}

/** The libraries label of an image, or none when it is missing or unreadable. */
export function parseLibrariesLabel(label: string | undefined): RuntimeLibrary[] {
  if (!label) return [];
  try {
    const parsed: unknown = JSON.parse(label);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (l): l is RuntimeLibrary =>
        typeof l === 'object' &&
        l !== null &&
        typeof (l as RuntimeLibrary).name === 'string' &&
        typeof (l as RuntimeLibrary).version === 'string',
    );
  } catch {
    return [];
  }
}
