// The agent's pre-start (agent/prestart.c, docs/agent-protocol.md "Pre-start") with a launcher of the test's own:
// a bash that says it is ready, takes the hand-over and execs the plain command it was handed. The hand-over is
// then seen by the program (PRESTARTED, which only the launcher sets), and everything else is the agent's: when
// a stage is handed over and when it falls back to a plain start, where its CPU time counts from, and that a
// launcher that died or hung costs a plain start, never a failed run. Real Docker, the bash runtime image.
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentPrestart, AgentRequest, AgentStage, StageExit } from '../src/sandbox/agent-protocol.js';
import { DockerSandboxDriver } from '../src/sandbox/docker-sandbox-driver.js';
import { containersOf, docker } from './helpers.js';

const INSTANCE = 'prestart-agent-test';
const IMAGE = 'coderunner/bash:latest';
const ENV = ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/work', 'LANG=C.UTF-8'];

const d = new DockerSandboxDriver({
  docker,
  instanceId: INSTANCE,
  runtime: 'runc',
  cpus: 1,
  workdirMb: 16,
  tmpMb: 16,
  readyTimeoutMs: 15000,
  engineTimeoutMs: 15000,
});

afterAll(async () => {
  await d.removeOwned();
  expect(await containersOf(INSTANCE)).toEqual([]);
});

/** A launcher: `before` runs first (as the pre-start), then it is ready, takes the argv and execs it. */
function launcher(before = ''): string[] {
  return [
    'bash',
    '-c',
    `${before}\nprintf R >&3; mapfile -d '' -t a <&3; exec 3<&-; export PRESTARTED=1; exec "\${a[@]}"`,
  ];
}

function stage(argv: string[], extra: Partial<AgentStage> = {}): AgentStage {
  return {
    name: 'run',
    argv,
    env: ENV,
    wallMs: 10000,
    cpuMs: 10000,
    fileSizeBytes: 1 << 20,
    outputBytes: 1 << 20,
    attachStdin: true,
    pauseBefore: false,
    ...extra,
  };
}

function prestart(before = '', extra: Partial<AgentStage> = {}): AgentPrestart {
  return { replaces: ['bash'], stage: stage(launcher(before), { wallMs: 3000, cpuMs: 30000, ...extra }) };
}

const PROGRAM = 'echo "${PRESTARTED:-plain} $0 $*"; read -r line; echo "read: $line"; echo err >&2; exit 3';

async function run(spec: AgentPrestart | undefined, stages: AgentStage[], stdin = 'typed\n') {
  const sandbox = await d.create({
    language: 'bash',
    image: IMAGE,
    memoryMb: 128,
    pids: 64,
    ...(spec ? { prestart: spec } : {}),
  });
  const out: Record<string, string> = { stdout: '', stderr: '' };
  const exits: StageExit[] = [];
  const request: AgentRequest = {
    files: [{ name: 'main.sh', content: Buffer.from(PROGRAM), executable: false }],
    stages,
    stdin: Buffer.from(stdin),
    closeStdin: true,
  };
  try {
    await sandbox.execute(request, {
      deadlineMs: 30000,
      ackTimeoutMs: 10000,
      onEvent: (e) => {
        if (e.type === 'stdout' || e.type === 'stderr') out[e.type] += e.data.toString();
        if (e.type === 'stage-exit') exits.push(e.exit);
      },
    }).finished;
  } finally {
    await sandbox.destroy();
  }
  return { stdout: out.stdout!, stderr: out.stderr!, exits };
}

const handed = (extra: Partial<AgentStage> = {}) =>
  stage(['bash', 'main.sh', 'one', 'two words'], { prestart: true, ...extra });

describe('the agent pre-start', () => {
  it('hands the first stage to the ready process: same argv, stdin, stdout, stderr and exit code', async () => {
    const r = await run(prestart(), [handed()]);
    expect(r.stdout).toBe('1 main.sh one two words\nread: typed\n');
    expect(r.stderr).toBe('err\n');
    expect(r.exits.map((e) => [e.exitCode, e.limit])).toEqual([[3, 'none']]);
  });

  it('hands over a first stage without stdin (a compile): the process reads end of file at once', async () => {
    const r = await run(prestart(), [handed({ attachStdin: false })]);
    expect(r.stdout).toBe('1 main.sh one two words\nread: \n');
    expect(r.exits.map((e) => e.exitCode)).toEqual([3]);
  });

  it('starts plainly when the stage does not ask for it, or its env or limits differ from the pre-start', async () => {
    for (const other of [
      stage(['bash', 'main.sh', 'one', 'two words']),
      handed({ env: [...ENV, 'EXTRA=1'] }),
      handed({ processes: 20 }),
      handed({ fileSizeBytes: 1 << 19 }),
      handed({ cpuMs: 60000 }),
    ]) {
      const r = await run(prestart(), [other]);
      expect(r.stdout).toBe('plain main.sh one two words\nread: typed\n');
      expect(r.exits[0]?.exitCode).toBe(3);
    }
  });

  it('counts CPU time from the hand-over: a launcher that burned CPU first costs the program none of it', async () => {
    // About half a second of CPU before the launcher says it is ready.
    const burn = 'n=0; while ((n < 400000)); do n=$((n+1)); done';
    const quick = await run(prestart(burn), [handed()]);
    expect(quick.stdout).toMatch(/^1 main\.sh/);
    expect(quick.exits[0]!.cpuTimeMs).toBeLessThan(150);
    // A program that burns CPU under a 1 s limit gets its whole second: stopped for CPU, not before.
    const spin = stage(['bash', '-c', 'while :; do :; done'], { prestart: true, cpuMs: 1000 });
    const hog = await run(prestart(burn), [spin]);
    expect(hog.exits[0]!.limit).toBe('cpu');
    expect(hog.exits[0]!.cpuTimeMs).toBeGreaterThanOrEqual(950);
    expect(hog.exits[0]!.cpuTimeMs).toBeLessThan(1400);
  });

  it('falls back to a plain start when the launcher died or never said it was ready', async () => {
    const died = await run({ replaces: ['bash'], stage: stage(['bash', '-c', 'exit 7'], { wallMs: 3000 }) }, [
      handed(),
    ]);
    expect(died.stdout).toBe('plain main.sh one two words\nread: typed\n');
    const started = Date.now();
    const hung = await run(
      { replaces: ['bash'], stage: stage(['bash', '-c', 'exec sleep 600'], { wallMs: 500 }) },
      [handed()],
    );
    expect(hung.stdout).toBe('plain main.sh one two words\nread: typed\n');
    expect(Date.now() - started).toBeLessThan(10000);
    // Nothing of the hung launcher is left for the program to see: it is the only process of its uid.
    const alone = await run(
      { replaces: ['bash'], stage: stage(['bash', '-c', 'exec sleep 600'], { wallMs: 500 }) },
      [stage(['bash', '-c', 'cat /proc/[0-9]*/comm 2>/dev/null | grep -c sleep'], { prestart: true })],
    );
    expect(alone.stdout).toBe('0\n');
  });

  it('gives only the first stage to it: later stages (test cases) start plainly', async () => {
    const r = await run(prestart(), [
      handed({ attachStdin: false, ownStdin: Buffer.from('first\n') }),
      handed({ attachStdin: false, ownStdin: Buffer.from('second\n') }),
    ]);
    expect(r.stdout).toBe(
      '1 main.sh one two words\nread: first\nplain main.sh one two words\nread: second\n',
    );
    expect(r.exits.map((e) => e.exitCode)).toEqual([3, 3]);
  });
});
