// The per-language phase's baseline: the language's own command (compile + run for compiled languages) timed
// inside one running plain container of its image, so `docker exec`'s own cost (~50-100 ms) is left out. One
// exec runs a bash loop that times each repetition with bash's $EPOCHREALTIME (no fork for the clock) and prints
// one line per run; the bench takes the median.
import type Docker from 'dockerode';
import { imageNameFor } from '../server/src/runtimes/runtime-manifest.js';
import { BENCH_LABEL_KEY } from './churn.js';
import { command } from './cli-paths.js';
import { envOf } from '../server/src/runs/run-plan.js';
import { stageCommands, type HelloCase } from './language-cases.js';

/** The runner uid of the images (their Dockerfiles create it); the sandbox runs programs as a uid like it. */
const RUNNER = '10001';
/** Untimed repetitions first: the first run of a toolchain reads it from disk, which a warm pool never does. */
const WARMUPS = 2;
const EXEC_MARGIN_MS = 30000;

export interface BareOptions {
  label: string;
  /** The sandbox's CPU quota (SANDBOX_CPUS), so that the baseline and the warm path get the same CPU. */
  cpus: number;
  count: number;
  budgetMs: number;
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * The loop, run as the runner uid: each repetition starts from what a fresh sandbox has (the project's files in
 * an otherwise empty /work, an empty /tmp: no build output or Go cache left from the last one), untimed; then
 * the stage commands with their output to files, timed; then a check of stdout against the expected, untimed.
 * Arguments: repetitions to keep, warm-ups, budget in microseconds.
 */
function loopScript(c: HelloCase): string {
  const { compile, run } = stageCommands(c);
  const stages = [
    ...(compile ? [`${compile.map(quote).join(' ')} >/bench/compile.out 2>&1`] : []),
    `${run.map(quote).join(' ')} </dev/null >/bench/stdout 2>/bench/stderr`,
  ];
  return `set -u
now() { local t=$EPOCHREALTIME; echo "\${t//[!0-9]/}"; }
end=$(( $(now) + $3 ))
for (( i = 0; i < $1 + $2; i++ )); do
  (( i >= $2 && $(now) > end )) && break
  rm -rf /work/* /work/.[!.]* /tmp/* /tmp/.[!.]* 2>/dev/null
  cp -a /bench/src/. /work/ && cd /work || exit 1
  t0=$(now)
  ${stages.join(' && \\\n    ')}
  rc=$?
  t1=$(now)
  if (( rc != 0 )) || ! cmp -s /bench/stdout /bench/expected; then
    echo "FAIL rc=$rc"; head -c 600 /bench/compile.out /bench/stderr /bench/stdout 2>/dev/null; exit 1
  fi
  (( i >= $2 )) && echo "T $(( t1 - t0 ))"
done
exit 0`;
}

/** Writes the case's files to /bench/src and the expected stdout to /bench/expected, in one exec. */
async function copyCase(id: string, c: HelloCase): Promise<void> {
  const pairs = [
    ...c.files.flatMap((f) => [`/bench/src/${f.name}`, Buffer.from(f.content).toString('base64')]),
    '/bench/expected',
    Buffer.from(c.stdout).toString('base64'),
  ];
  const write =
    'set -e; while [ $# -gt 0 ]; do mkdir -p "$(dirname "$1")"; printf %s "$2" | base64 -d > "$1"; shift 2; done';
  await command('docker', ['exec', id, 'bash', '-c', write, 'write', ...pairs]);
}

/** A plain container of the case's image, idle (`sleep infinity`), writable where the sandbox's is. */
async function startIdle(docker: Docker, c: HelloCase, o: BareOptions): Promise<Docker.Container> {
  const tmpfs = `rw,exec,nosuid,nodev,mode=0755,uid=${RUNNER},gid=${RUNNER}`;
  const container = await docker.createContainer({
    Image: imageNameFor(c.language),
    Entrypoint: ['sleep', 'infinity'],
    Cmd: [],
    User: `${RUNNER}:${RUNNER}`,
    WorkingDir: '/work',
    // The server's stage environment: the toolchains read it (Go's GOCACHE), so the bare command must see it.
    Env: envOf(c),
    NetworkDisabled: true,
    Labels: { [BENCH_LABEL_KEY]: o.label },
    HostConfig: {
      NetworkMode: 'none',
      NanoCpus: Math.round(o.cpus * 1e9),
      Tmpfs: { '/work': tmpfs, '/bench': tmpfs, '/tmp': 'rw,exec,nosuid,nodev,mode=1777' },
      LogConfig: { Type: 'none', Config: {} },
    },
  });
  try {
    await container.start();
  } catch (err) {
    await container.remove({ force: true });
    throw err;
  }
  return container;
}

/**
 * The bare command's own times (ms) for one language, from one idle container that is removed afterwards.
 * Throws with the toolchain's output when a repetition fails or prints something else than the hello.
 */
export async function benchBare(docker: Docker, c: HelloCase, o: BareOptions): Promise<number[]> {
  const container = await startIdle(docker, c, o);
  try {
    await copyCase(container.id, c);
    const args = [String(o.count), String(WARMUPS), String(Math.round(o.budgetMs * 1000))];
    const out = await command(
      'docker',
      ['exec', container.id, 'bash', '-c', loopScript(c), 'loop', ...args],
      o.budgetMs + EXEC_MARGIN_MS,
    ).catch((err: unknown) => {
      const stdout = (err as { stdout?: string }).stdout ?? '';
      throw new Error(`bare ${c.language}: ${stdout.trim() || String(err)}`.slice(0, 900));
    });
    return out
      .split('\n')
      .filter((line) => line.startsWith('T '))
      .map((line) => Number(line.slice(2)) / 1000);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
