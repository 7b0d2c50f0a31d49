// Paths (a)-(c): a bare host process, `docker run --rm`, and the seed design's `docker cp` + `docker exec` into
// one warm container. All three go through child processes, as their real-world counterparts do.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sampleSequential, type Bounds } from './stats.js';

const exec = promisify(execFile);

export const HELLO_SOURCE = "print('hello')";
export const HELLO_OUTPUT = 'hello\n';
const STEP_TIMEOUT_MS = 20000;

/** Runs a command and returns its stdout; a non-zero exit or a timeout throws. */
export async function command(
  file: string,
  args: readonly string[],
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<string> {
  const { stdout } = await exec(file, [...args], {
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 20,
  });
  return stdout;
}

function expectHello(path: string, stdout: string): void {
  if (stdout !== HELLO_OUTPUT)
    throw new Error(`${path}: expected ${JSON.stringify(HELLO_OUTPUT)}, got ${JSON.stringify(stdout)}`);
}

/**
 * The host interpreter to time: BENCH_HOST_PYTHON if set, else the distribution's /usr/bin/python3 (what
 * DOCKER-NOTES measured), else the real executable behind `python3` on PATH. A pyenv `python3` on PATH is a
 * shell shim (~70 ms per call by itself), and pyenv builds with site-packages .pth hooks (certifi) add ~20 ms of
 * startup: timing either would inflate the baseline and flatter every ratio against it.
 */
export async function resolveHostPython(): Promise<string> {
  const candidates = [process.env.BENCH_HOST_PYTHON, '/usr/bin/python3'].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  const path = (await command('python3', ['-c', 'import sys; print(sys.executable)'])).trim();
  if (!path) throw new Error('python3 did not report sys.executable');
  return path;
}

/** (a) spawn python3 -c "print('hello')" on the host and wait for it. */
export function benchHostProcess(bounds: Bounds, python: string): Promise<number[]> {
  return sampleSequential(bounds, async () => {
    expectHello('host', await command(python, ['-c', HELLO_SOURCE]));
  });
}

/** (b) docker run --rm per sample, through the CLI. */
export function benchDockerRun(bounds: Bounds, image: string, label: string): Promise<number[]> {
  return sampleSequential(bounds, async () => {
    const args = [
      'run',
      '--rm',
      '--network',
      'none',
      '--label',
      label,
      '--entrypoint',
      'python3',
      image,
      '-c',
      HELLO_SOURCE,
    ];
    expectHello('docker run', await command('docker', args));
  });
}

/**
 * (c) the seed's path: one container started beforehand with `sleep infinity`; per sample write main.py to a
 * fresh temp dir, `docker cp` it into /tmp and `docker exec python3`. The container is removed at the end.
 */
export async function benchCpExec(bounds: Bounds, image: string, label: string): Promise<number[]> {
  const args = [
    'run',
    '-d',
    '--network',
    'none',
    '--label',
    label,
    '--entrypoint',
    'sleep',
    image,
    'infinity',
  ];
  const id = (await command('docker', args)).trim();
  if (!/^[0-9a-f]{12,64}$/.test(id)) throw new Error(`docker run -d printed ${JSON.stringify(id)}`);
  try {
    return await sampleSequential(bounds, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'coderunner-bench-'));
      try {
        const file = join(dir, 'main.py');
        await writeFile(file, HELLO_SOURCE);
        await command('docker', ['cp', file, `${id}:/tmp/main.py`]);
        expectHello('cp+exec', await command('docker', ['exec', id, 'python3', '/tmp/main.py']));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  } finally {
    await command('docker', ['rm', '-f', id]).catch(() => undefined);
  }
}
