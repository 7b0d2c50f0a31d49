import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRuntimeManifests } from '../server/src/runtimes/runtime-manifest.js';
import { END, renderTable, replaceBetweenMarkers, START } from './languages-table.js';

describe('README language table', () => {
  it('lists every runtime under runtimes/ (regenerate with npm run docs:languages)', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf(START), readme.indexOf(END));
    const manifests = await loadRuntimeManifests(new URL('../runtimes', import.meta.url).pathname);
    expect(manifests.length).toBeGreaterThan(0);
    for (const m of manifests) expect(table, m.language).toContain(`| ${m.displayName} | \`${m.language}\``);
    const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| language'));
    expect(rows).toHaveLength(manifests.length);
  });

  it('renders a row per runtime and replaces only the marked block', () => {
    const table = renderTable([
      {
        manifest: {
          language: 'c',
          displayName: 'C',
          aliases: ['gcc'],
          extensions: ['c', 'h'],
          versionCommand: ['gcc'],
          compile: ['gcc'],
          run: ['./a'],
          env: {},
          limits: {},
          compileLimits: {},
          prestart: null,
          libraries: {},
        },
        image: {
          version: '14.2.0',
          libraries: [{ name: 'doctest', version: '2.4.11' }],
          sizeMb: 412.4,
        },
      },
    ]);
    expect(table).toContain('| C | `c`, `gcc` | 14.2.0 | .c .h | yes | doctest 2.4.11 | 412 MB |');
    expect(replaceBetweenMarkers(`a\n${START}\nold\n${END}\nb`, 'new')).toBe(`a\n${START}\nnew\n${END}\nb`);
  });
});
