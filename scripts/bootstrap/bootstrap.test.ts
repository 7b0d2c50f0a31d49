// Unit tests for the bootstrap's pure parts. Run: npx vitest run scripts/bootstrap
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { daemonMatches, withRunscRuntime } from './docker-engine.js';
import { debianMirror, RUNSC_PATH, runscBuild } from './runsc.js';
import { computeRuntimeHash, listRuntimeFiles, selectLanguages } from './runtime-inputs.js';
import { stageTagFor } from './runtime-images.js';
import { BootstrapError, run } from './util.js';

describe('selectLanguages', () => {
  const known = ['javascript', 'python'];

  it('enables every known language when LANGUAGES is unset or blank', () => {
    expect(selectLanguages(undefined, known)).toEqual(known);
    expect(selectLanguages(' , ', known)).toEqual(known);
  });

  it('keeps the requested order, trims spaces and drops duplicates', () => {
    expect(selectLanguages(' python, javascript,python ', known)).toEqual(['python', 'javascript']);
  });

  it('rejects unknown names and lists the known ones', () => {
    expect(() => selectLanguages('python,cobol', known)).toThrow(BootstrapError);
    try {
      selectLanguages('python,cobol', known);
    } catch (err) {
      expect((err as BootstrapError).message).toContain('cobol');
      expect((err as BootstrapError).hint).toContain('javascript, python');
    }
  });
});

describe('computeRuntimeHash', () => {
  let dir: string;
  let runtime: string;
  let agent: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bootstrap-test-'));
    runtime = join(dir, 'python');
    agent = join(dir, 'agent');
    await mkdir(join(runtime, 'tests'), { recursive: true });
    await mkdir(join(runtime, 'etc'), { recursive: true });
    await writeFile(join(runtime, 'Dockerfile'), 'FROM x\n');
    await writeFile(join(runtime, 'runtime.json'), '{}');
    await writeFile(join(runtime, 'etc', 'b.conf'), 'b');
    await writeFile(join(runtime, 'tests', 'hello.py'), 'print(1)');
    await writeFile(agent, 'agent v1');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists files sorted, without the top-level tests folder', async () => {
    expect(await listRuntimeFiles(runtime)).toEqual(['Dockerfile', 'etc/b.conf', 'runtime.json']);
  });

  it('is stable for the same inputs and ignores tests/', async () => {
    const first = await computeRuntimeHash(runtime, agent, 'sha256:base');
    await writeFile(join(runtime, 'tests', 'hello.py'), 'print(2)');
    expect(await computeRuntimeHash(runtime, agent, 'sha256:base')).toBe(first);
  });

  it('changes when a runtime file, its mode, the agent or the base image changes', async () => {
    const first = await computeRuntimeHash(runtime, agent, 'sha256:base');
    expect(await computeRuntimeHash(runtime, agent, 'sha256:other')).not.toBe(first);
    await writeFile(agent, 'agent v2');
    const second = await computeRuntimeHash(runtime, agent, 'sha256:base');
    expect(second).not.toBe(first);
    await chmod(join(runtime, 'etc', 'b.conf'), 0o755);
    const third = await computeRuntimeHash(runtime, agent, 'sha256:base');
    expect(third).not.toBe(second);
    await writeFile(join(runtime, 'Dockerfile'), 'FROM y\n');
    expect(await computeRuntimeHash(runtime, agent, 'sha256:base')).not.toBe(third);
  });
});

describe('withRunscRuntime', () => {
  const runsc = { path: RUNSC_PATH, runtimeArgs: ['--network=none', '--oci-seccomp'] };

  it('adds the runtime to an empty config', () => {
    expect(withRunscRuntime({})).toEqual({ config: { runtimes: { runsc } }, changed: true });
  });

  it('keeps other keys and runtimes', () => {
    const existing = { 'log-level': 'warn', runtimes: { kata: { path: '/k' } } };
    expect(withRunscRuntime(existing)).toEqual({
      config: { 'log-level': 'warn', runtimes: { kata: { path: '/k' }, runsc } },
      changed: true,
    });
  });

  it('reports no change when the runtime is there, and removes a user-namespace remapping', () => {
    expect(withRunscRuntime({ runtimes: { runsc } }).changed).toBe(false);
    expect(withRunscRuntime({ runtimes: { runsc }, 'userns-remap': 'default' })).toEqual({
      config: { runtimes: { runsc } },
      changed: true,
    });
  });

  it("replaces bookworm's runsc and an entry without the network or seccomp argument", () => {
    const old = { path: '/usr/bin/runsc', runtimeArgs: ['--network=none'] };
    expect(withRunscRuntime({ runtimes: { runsc: old } })).toEqual({
      config: { runtimes: { runsc } },
      changed: true,
    });
    expect(withRunscRuntime({ runtimes: { runsc: { path: RUNSC_PATH } } }).changed).toBe(true);
  });
});

describe('daemonMatches', () => {
  const runtimes = {
    runc: { path: 'runc' },
    runsc: { path: RUNSC_PATH, runtimeArgs: ['--network=none', '--oci-seccomp'] },
  };
  const security = ['name=seccomp,profile=default'];

  it('wants our runsc with our flags and an engine that does not remap users', () => {
    expect(daemonMatches(runtimes, security)).toBe(true);
    expect(daemonMatches(runtimes, [...security, 'name=userns'])).toBe(false);
    expect(
      daemonMatches({ runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--network=none'] } }, security),
    ).toBe(false);
    expect(daemonMatches({}, security)).toBe(false);
  });
});

describe('runsc from trixie', () => {
  it('reads the build date from runsc --version', () => {
    expect(runscBuild('runsc version 0.0~20240729.0\nspec: 1.2.0')).toBe(20240729);
    expect(runscBuild('runsc version 0.0~20221219.0')).toBe(20221219);
    expect(runscBuild('something else')).toBeNull();
  });

  it("finds the host's Debian mirror in deb822 and one-line sources, never the security one", () => {
    const deb822 = [
      'Types: deb',
      'URIs: http://mirror.invalid/debian-security',
      'Suites: bookworm-security',
      '',
      'Types: deb',
      'URIs: http://mirror.invalid/debian',
      'Suites: bookworm bookworm-updates',
    ].join('\n');
    expect(debianMirror({ a: deb822 })).toBe('http://mirror.invalid/debian');
    expect(debianMirror({ a: 'deb [arch=amd64] http://other.invalid/debian/ bookworm main\n' })).toBe(
      'http://other.invalid/debian/',
    );
    expect(() => debianMirror({ a: 'deb http://x.invalid/ubuntu jammy main\n' })).toThrow(/no Debian mirror/);
  });
});

describe('stageTagFor', () => {
  it('swaps the tag for stage1, minding registry ports', () => {
    expect(stageTagFor('coderunner/python:latest')).toBe('coderunner/python:stage1');
    expect(stageTagFor('coderunner/python')).toBe('coderunner/python:stage1');
    expect(stageTagFor('localhost:5000/coderunner/python')).toBe('localhost:5000/coderunner/python:stage1');
  });
});

describe('run', () => {
  it('captures output, feeds stdin and reports the exit code', async () => {
    const result = await run('sh', ['-c', 'cat; echo err >&2; exit 3'], { input: 'hello\n' });
    expect(result).toMatchObject({ code: 3, stdout: 'hello\n', stderr: 'err\n', timedOut: false });
    expect(result.tail).toEqual(['hello', 'err']);
  });

  it('reports a missing program instead of throwing', async () => {
    const result = await run('no-such-program-here', []);
    expect(result.code).toBeNull();
    expect(result.spawnError).toContain('ENOENT');
  });

  it('kills a command that runs past its timeout', async () => {
    const result = await run('sleep', ['5'], { timeoutMs: 100 });
    expect(result.timedOut).toBe(true);
  });
});
