import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuntimeManifests } from './runtime-manifest.js';
import { loadRuntimes, RuntimeRegistry } from './runtime-registry.js';

function runtimesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coderunner-runtimes-'));
  for (const [language, aliases] of [
    ['python', ['py']],
    ['ruby', ['rb']],
  ] as const) {
    mkdirSync(join(dir, language));
    writeFileSync(
      join(dir, language, 'runtime.json'),
      JSON.stringify({
        language,
        displayName: language,
        aliases,
        extensions: [language.slice(0, 2)],
        versionCommand: [language, '--version'],
        run: [language, '{entry}'],
      }),
    );
  }
  return dir;
}

// Image labels as the engine would report them: only python's image exists.
const driver = {
  inspectImage: async (image: string) =>
    image === 'coderunner/python:latest' ? { 'coderunner.version': '3.13.5' } : null,
};

describe('loadRuntimes', () => {
  it('serves languages whose image exists and reports the missing ones instead of failing later', async () => {
    const { registry, unavailable } = await loadRuntimes({ runtimesDir: runtimesDir(), enabled: [], driver });
    expect(registry.list().map((r) => [r.language, r.version])).toEqual([['python', '3.13.5']]);
    expect(registry.resolve('PY')?.language).toBe('python');
    expect(registry.resolve('ruby')).toBeUndefined();
    expect(unavailable).toEqual([
      { language: 'ruby', reason: 'image coderunner/ruby:latest is missing; build it with npm run images' },
    ]);
  });

  it('enables only the configured languages and rejects unknown ones by name', async () => {
    const dir = runtimesDir();
    const { unavailable } = await loadRuntimes({ runtimesDir: dir, enabled: ['python'], driver });
    expect(unavailable).toEqual([]);
    await expect(loadRuntimes({ runtimesDir: dir, enabled: ['cobol'], driver })).rejects.toThrow(
      /unknown runtimes: cobol \(known: python, ruby\)/,
    );
  });
});

describe('RuntimeRegistry', () => {
  it('refuses two runtimes that claim the same alias', () => {
    const runtime = (language: string, aliases: string[]) =>
      ({ language, aliases }) as unknown as ConstructorParameters<typeof RuntimeRegistry>[0][number];
    expect(() => new RuntimeRegistry([runtime('c', ['cc']), runtime('cpp', ['CC'])])).toThrow(
      /"CC" names both c and cpp/,
    );
  });

  it('finds no clash among the runtimes in this repository', async () => {
    const manifests = await loadRuntimeManifests(new URL('../../../runtimes', import.meta.url).pathname);
    const names = manifests.flatMap((m) => [m.language, ...m.aliases].map((n) => n.toLowerCase()));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});
