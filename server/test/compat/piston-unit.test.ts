import { describe, expect, it } from 'vitest';
import { PistonLanguages } from '../../src/compat/piston/piston-languages.js';
import { pistonJob, PistonRefusal } from '../../src/compat/piston/piston-request.js';
import { PistonCollector, stageOutcome } from '../../src/compat/piston/piston-result.js';
import { pistonVersion, satisfies } from '../../src/compat/piston/piston-semver.js';
import type { StageExit } from '../../src/sandbox/agent-protocol.js';
import type { Runtime } from '../../src/runtimes/runtime-registry.js';

// The pure parts of the Piston adapter, as tables: semver selection (runtime.js uses semver.satisfies), the
// limit checks of v2.js get_job, isolate/job.js statuses, and job.js's interleaved `output`.

describe('version selectors (semver.satisfies on a release version)', () => {
  const table: Array<[string, string, boolean]> = [
    ['3.13.5', '*', true],
    ['3.13.5', 'x', true],
    ['3.13.5', '3', true],
    ['3.13.5', '3.x', true],
    ['3.13.5', '3.13', true],
    ['3.13.5', '3.13.x', true],
    ['3.13.5', '3.13.5', true],
    ['3.13.5', '=3.13.5', true],
    ['3.13.5', 'v3.13.5', true],
    ['3.13.5', '3.13.4', false],
    ['3.13.5', '3.12', false],
    ['3.13.5', '2.x', false],
    ['3.13.5', '>=3.13', true],
    ['3.13.5', '>3.13', false],
    ['3.13.5', '>3.12', true],
    ['3.13.5', '<3.13.5', false],
    ['3.13.5', '<=3.13', true],
    ['3.13.5', '< 4', true],
    ['3.13.5', '^3.1.0', true],
    ['3.13.5', '^3.14.0', false],
    ['0.2.5', '^0.2.1', true],
    ['0.3.0', '^0.2.1', false],
    ['3.13.5', '~3.13.0', true],
    ['3.14.0', '~3.13.0', false],
    ['3.13.5', '>=3 <3.13', false],
    ['3.13.5', '2.x || 3.x', true],
    ['3.13.5', 'latest', false],
    ['3.13.5', '3.13.5.1', false],
  ];
  it.each(table)('%s satisfies %s: %s', (version, selector, expected) => {
    expect(satisfies(version, selector)).toBe(expected);
  });

  it.each([
    ['8.16', '8.16.0'],
    ['6.12.0.199', '6.12.0'],
    ['3.13.5', '3.13.5'],
    ['21.0.13', '21.0.13'],
  ])('shows version %s as %s', (raw, shown) => expect(pistonVersion(raw)).toBe(shown));
});

function runtime(language: string, version: string, extensions: string[]): Runtime {
  return {
    language,
    version,
    extensions,
    aliases: [],
    displayName: language,
    image: '',
    manifest: {} as Runtime['manifest'],
  };
}
const languages = new PistonLanguages({
  list: () => [
    runtime('python', '3.13.5', ['py']),
    runtime('cpp', '14.2.0', ['cpp', 'hpp']),
    runtime('awk', '5.2.1', ['awk']),
  ],
});
const limits = {
  RUN_MAX_TIMEOUT_MS: 30000,
  COMPILE_MAX_TIMEOUT_MS: 60000,
  RUN_MAX_MEMORY_MB: 1024,
  COMPILE_MAX_MEMORY_MB: 2048,
};

describe('GET runtimes (v2.js: language, version, aliases, runtime)', () => {
  it('lists Piston names, aliases and the providing package', () => {
    expect(languages.list()).toEqual([
      { language: 'python', version: '3.13.5', aliases: ['py', 'py3', 'python3', 'python3.13'] },
      { language: 'c++', version: '14.2.0', aliases: ['cpp', 'g++'], runtime: 'gcc' },
      { language: 'awk', version: '5.2.1', aliases: [], runtime: 'gawk' },
    ]);
  });
});

describe('execute limits (v2.js get_job)', () => {
  const py = { language: 'python', version: '*', files: [{ content: 'print(1)' }] };
  const refusals: Array<[string, Record<string, unknown>, string]> = [
    [
      'compile_memory_limit above the maximum',
      { compile_memory_limit: 2049 * 1024 * 1024 },
      `compile_memory_limit cannot exceed the configured limit of ${2048 * 1024 * 1024}`,
    ],
    [
      'run_memory_limit above the maximum',
      { run_memory_limit: 2 ** 40 },
      `run_memory_limit cannot exceed the configured limit of ${1024 * 1024 * 1024}`,
    ],
    [
      'compile_timeout above the maximum',
      { compile_timeout: 60001 },
      'compile_timeout cannot exceed the configured limit of 60000',
    ],
    ['negative run_timeout', { run_timeout: -1 }, 'run_timeout must be non-negative'],
    ['run_cpu_time a string', { run_cpu_time: '1' }, 'If specified, run_cpu_time must be a number'],
    [
      'run_cpu_time above the maximum',
      { run_cpu_time: 30001 },
      'run_cpu_time cannot exceed the configured limit of 30000',
    ],
    [
      'compile_cpu_time above the maximum',
      { compile_cpu_time: 60001 },
      'compile_cpu_time cannot exceed the configured limit of 60000',
    ],
    ['negative compile_cpu_time', { compile_cpu_time: -1 }, 'compile_cpu_time must be non-negative'],
    // Piston checks memory, then timeout, then cpu_time, compile before run.
    [
      'the first problem in Piston order',
      { run_cpu_time: 'x', compile_timeout: 'y' },
      'If specified, compile_timeout must be a number',
    ],
  ];
  it.each(refusals)('refuses %s', (_name, extra, message) => {
    expect(() => pistonJob({ ...py, ...extra }, languages, limits, { keepStdin: true })).toThrow(
      new PistonRefusal(message),
    );
  });

  // Piston's defaults (config.js): wall and CPU 3 s / 10 s, 64 processes, one of them its bash run script.
  const base = {
    timeoutMs: 3000,
    cpuTimeMs: 3000,
    processes: 63,
    compile: { timeoutMs: 10000, cpuTimeMs: 10000 },
  };
  const accepted: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['defaults of config.js', {}, base],
    ['-1 memory (none): the runtime default', { run_memory_limit: -1, compile_memory_limit: -1 }, base],
    ['0 is "not specified" for a timeout', { run_timeout: 0 }, base],
    ['bytes rounded up to MiB', { run_memory_limit: 100 * 1024 * 1024 + 1 }, { ...base, memoryMb: 101 }],
    [
      'tiny values raised to our minimums',
      { run_memory_limit: 1000, run_timeout: 5, run_cpu_time: 5 },
      { ...base, timeoutMs: 100, cpuTimeMs: 100, memoryMb: 16 },
    ],
    [
      'CPU times apart from the wall limits',
      { run_timeout: 5000, run_cpu_time: 500, compile_timeout: 20000, compile_cpu_time: 15000 },
      { ...base, timeoutMs: 5000, cpuTimeMs: 500, compile: { timeoutMs: 20000, cpuTimeMs: 15000 } },
    ],
    [
      'a CPU time above the wall limit is kept (isolate checks both)',
      { run_timeout: 1000, run_cpu_time: 2000 },
      { ...base, timeoutMs: 1000, cpuTimeMs: 2000 },
    ],
    [
      '0 CPU time: no CPU limit of its own (isolate --time=0), the wall limit decides',
      { run_cpu_time: 0, compile_cpu_time: 0 },
      { timeoutMs: 3000, processes: 63, compile: { timeoutMs: 10000 } },
    ],
    ['a null CPU time is absent', { run_cpu_time: null }, base],
  ];
  it.each(accepted)('translates %s', (_name, extra, expected) => {
    expect(pistonJob({ ...py, ...extra }, languages, limits, { keepStdin: true }).request.limits).toEqual(
      expected,
    );
  });

  it('keeps the defaults within lower server maximums', () => {
    const low = { ...limits, RUN_MAX_TIMEOUT_MS: 2000, COMPILE_MAX_TIMEOUT_MS: 5000 };
    expect(pistonJob(py, languages, low, { keepStdin: true }).request.limits).toEqual({
      timeoutMs: 2000,
      cpuTimeMs: 2000,
      processes: 63,
      compile: { timeoutMs: 5000, cpuTimeMs: 5000 },
    });
  });

  it('names nameless files by the runtime extension, decodes hex, keeps args and adds a newline to stdin', () => {
    const job = pistonJob(
      {
        language: 'g++',
        version: '14',
        files: [{ content: 'int main(){}' }, { name: 'x.bin', content: '6869', encoding: 'hex' }],
        args: ['a', 1],
        stdin: 'in',
      },
      languages,
      limits,
      { keepStdin: true },
    );
    expect(job.request).toMatchObject({
      language: 'cpp',
      files: [
        { name: 'file0.cpp', content: 'int main(){}' },
        { name: 'x.bin', content: 'aGk=', encoding: 'base64' },
      ],
      args: ['a', '1'],
      stdin: 'in\n',
    });
    expect(
      pistonJob({ ...py, stdin: 'x' }, languages, limits, { keepStdin: false }).request.stdin,
    ).toBeUndefined();
  });
});

function exit(e: Partial<StageExit>): StageExit {
  return {
    stage: 0,
    exitCode: 0,
    signal: null,
    wallTimeMs: 1,
    cpuTimeMs: 1,
    memoryKb: 1,
    limit: 'none',
    stdoutTruncated: false,
    stderrTruncated: false,
    outputBytes: 0,
    prestarted: false,
    ...e,
  };
}

describe('stage statuses (isolate meta + job.js)', () => {
  const table: Array<[string, Partial<StageExit>, ReturnType<typeof stageOutcome>]> = [
    ['clean exit', {}, { status: null, message: null, code: 0, signal: null }],
    [
      'non-zero exit',
      { exitCode: 2 },
      { status: 'RE', message: 'Exited with error status 2', code: 2, signal: null },
    ],
    [
      'signal',
      { exitCode: null, signal: 11 },
      { status: 'SG', message: 'Caught fatal signal 11', code: null, signal: 'SIGSEGV' },
    ],
    [
      'wall timeout',
      { exitCode: null, signal: 9, limit: 'wall' },
      { status: 'TO', message: 'Time limit exceeded (wall clock)', code: null, signal: 'SIGKILL' },
    ],
    [
      'cpu timeout',
      { exitCode: null, signal: 9, limit: 'cpu' },
      { status: 'TO', message: 'Time limit exceeded', code: null, signal: 'SIGKILL' },
    ],
    [
      'stdout cap',
      { exitCode: null, limit: 'output', stdoutTruncated: true },
      { status: 'OL', message: 'stdout length exceeded', code: null, signal: 'SIGKILL' },
    ],
    [
      'stderr cap',
      { exitCode: null, limit: 'output', stderrTruncated: true },
      { status: 'EL', message: 'stderr length exceeded', code: null, signal: 'SIGKILL' },
    ],
    [
      'memory kill',
      { exitCode: null, signal: 9, limit: 'memory' },
      { status: 'SG', message: 'Caught fatal signal 9', code: null, signal: 'SIGKILL' },
    ],
    [
      'killed by the client',
      { exitCode: null, signal: 9, limit: 'killed' },
      { status: 'SG', message: 'Caught fatal signal 9', code: null, signal: 'SIGKILL' },
    ],
  ];
  it.each(table)('%s', (_name, e, expected) => expect(stageOutcome(exit(e))).toEqual(expected));
});

describe('output (job.js appends every chunk of either stream in arrival order)', () => {
  it('interleaves the streams and decodes UTF-8 split across chunks', () => {
    const c = new PistonCollector();
    const euro = Buffer.from('€');
    c.onEvent({ type: 'stage-begin', stage: 0 });
    c.onEvent({ type: 'stdout', data: Buffer.from('a') });
    c.onEvent({ type: 'stderr', data: Buffer.from('B') });
    c.onEvent({ type: 'stdout', data: euro.subarray(0, 1) });
    c.onEvent({ type: 'stdout', data: euro.subarray(1) });
    c.onEvent({ type: 'stderr', data: Buffer.from('C') });
    c.onEvent({ type: 'stage-exit', exit: exit({ memoryKb: 2 }) });
    expect(c.result(0)).toEqual({
      stdout: 'a€',
      stderr: 'BC',
      output: 'aB€C',
      code: 0,
      signal: null,
      message: null,
      status: null,
      memory: 2048,
      cpu_time: 1,
      wall_time: 1,
    });
  });
});
