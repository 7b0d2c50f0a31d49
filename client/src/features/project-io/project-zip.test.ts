import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { addFolder, createProject } from '../../lib/project/project';
import { MAX_UNZIPPED_BYTES, unzipProject, zipProject } from './project-zip';

describe('project zip files', () => {
  it('round-trips text, binary files and empty folders', () => {
    const project = addFolder(
      createProject(
        'python',
        [
          { path: 'lib/util.py', content: 'X = "é✓"\n' },
          { path: 'main.py', content: 'import lib.util\n' },
          { path: 'data.bin', content: 'AP8A', encoding: 'base64' },
        ],
        { entry: 'main.py' },
      ),
      'out',
    );
    const back = unzipProject(zipProject(project), 'python', ['py']);
    if (!('project' in back)) throw new Error(back.problem);
    expect(back.project.files).toEqual([
      { path: 'data.bin', content: 'AP8A', encoding: 'base64' },
      { path: 'lib/util.py', content: 'X = "é✓"\n' },
      { path: 'main.py', content: 'import lib.util\n' },
    ]);
    expect(back.project.folders).toEqual(['out']);
    expect(back.project.entry).toBe('main.py');
  });

  it('reads a zip wrapped in one top folder from inside it, and skips macOS clutter', () => {
    const bytes = zipSync({
      'project/main.py': strToU8('print(1)'),
      'project/lib/a.py': strToU8(''),
      '__MACOSX/project/._main.py': strToU8('junk'),
    });
    const read = unzipProject(bytes, 'python', ['py']);
    expect('project' in read && read.project.files.map((f) => f.path)).toEqual(['lib/a.py', 'main.py']);
  });

  it('refuses garbage, empty archives, unsafe names and archives that unpack too large', () => {
    expect(unzipProject(strToU8('not a zip'), 'python', [])).toEqual({
      problem: 'this is not a readable zip file',
    });
    expect(unzipProject(zipSync({}), 'python', [])).toEqual({ problem: 'the zip holds no files' });
    expect(unzipProject(zipSync({ 'a/../../b.py': strToU8('') }), 'python', [])).toHaveProperty('problem');
    const big = zipSync({ 'big.txt': new Uint8Array(MAX_UNZIPPED_BYTES + 1) });
    expect(unzipProject(big, 'python', [])).toEqual({ problem: 'the zip holds more than 5 MiB' });
  });
});
