import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import type { Runtime } from '../runtimes/runtime-registry.js';
import { expandCommand } from './command-template.js';
import { buildAgentRequest, containerLimitsFor, prestartFor, resolveLimits } from './run-plan.js';
import type { ValidatedRun } from './run-request.js';

const runtime = (limits: Record<string, number> = {}, compile: string[] | null = null): Runtime => ({
  language: 'c',
  displayName: 'C',
  version: '14.2.0',
  aliases: [],
  extensions: ['c'],
  image: 'coderunner/c:latest',
  manifest: {
    language: 'c',
    displayName: 'C',
    aliases: [],
    extensions: ['c'],
    versionCommand: ['gcc', '--version'],
    compile,
    run: ['./main', '{args}'],
    env: { A: 'b' },
    limits,
    compileLimits: {},
    prestart: null,
    libraries: {},
  },
});

const validated = (limits?: ValidatedRun['body']['limits']): ValidatedRun => ({
  body: { language: 'c', files: [], args: ['1', '2'], stdin: 'in', ...(limits ? { limits } : {}) },
  files: [
    { name: 'src/main.c', content: Buffer.from('') },
    { name: 'src/util.c', content: Buffer.from('') },
    { name: 'src/util.h', content: Buffer.from('') },
  ],
  entry: 'src/main.c',
  testFiles: [],
});

describe('run planning', () => {
  it('expands placeholders, spreading list placeholders into several arguments', () => {
    const context = {
      entry: 'src/main.c',
      files: ['src/main.c', 'src/util.c', 'src/util.h'],
      args: ['a b', 'c'],
    };
    expect(expandCommand(['gcc', '-o', 'main', '{files:.c}'], context)).toEqual([
      'gcc',
      '-o',
      'main',
      'src/main.c',
      'src/util.c',
    ]);
    expect(expandCommand(['run', '{entry}', '{args}'], context)).toEqual(['run', 'src/main.c', 'a b', 'c']);
    expect(expandCommand(['java', '-cp', '.', '{entryStem}'], context)).toEqual([
      'java',
      '-cp',
      '.',
      'src/main',
    ]);
    expect(expandCommand(['ls', '{files}'], context)).toHaveLength(4);
    expect(expandCommand(['java', '{entryClass}', '{entryDir}', '{entryBase}'], context)).toEqual([
      'java',
      'src.main',
      'src',
      'main.c',
    ]);
    expect(expandCommand(['{entryDir}'], { ...context, entry: 'main.c' })).toEqual(['.']);
  });

  it('layers limits: server default, then runtime.json, then the request', () => {
    const config = loadConfig({});
    expect(resolveLimits(config, runtime(), validated())).toEqual({
      run: { timeoutMs: 5000, cpuTimeMs: 5000, memoryMb: 256, pids: 64 },
      compile: null,
      outputBytes: 1024 * 1024,
      truncateOutput: false,
    });
    expect(resolveLimits(config, runtime({ memoryMb: 512, timeoutMs: 8000 }), validated()).run).toEqual({
      timeoutMs: 8000,
      cpuTimeMs: 8000,
      memoryMb: 512,
      pids: 64,
    });
    const requested = resolveLimits(
      config,
      runtime({ memoryMb: 512 }, ['cc']),
      validated({ memoryMb: 64, timeoutMs: 1000, outputKb: 2, compile: { timeoutMs: 20000 } }),
    );
    expect(requested).toEqual({
      run: { timeoutMs: 1000, cpuTimeMs: 1000, memoryMb: 64, pids: 64 },
      compile: { timeoutMs: 20000, cpuTimeMs: 20000, memoryMb: 1024, pids: 256 },
      outputBytes: 2048,
      truncateOutput: false,
    });
  });

  it('passes per-process limits, a separate CPU limit and output truncation to the run stage only', () => {
    const config = loadConfig({});
    const rt = runtime({}, ['cc', '{compileArgs}', '{files:.c}', '{linkArgs}']);
    const run = validated({
      timeoutMs: 6000,
      cpuTimeMs: 2000,
      addressSpaceMb: 200,
      processes: 20,
      stackKb: 64000,
      outputOverflow: 'truncate',
      compile: { cpuTimeMs: 3000 },
    });
    run.body.compileArgs = ['-std=c89'];
    run.body.linkArgs = ['-lcrypt'];
    const request = buildAgentRequest(config, rt, run, resolveLimits(config, rt, run));
    const [compile, stage] = request.stages;
    expect(compile).toMatchObject({ cpuMs: 3000, wallMs: 10000 });
    expect(compile!.processes ?? 0).toBe(0);
    expect(compile!.truncateOutput ?? false).toBe(false);
    expect(compile!.argv).toEqual(['cc', '-std=c89', 'src/main.c', 'src/util.c', '-lcrypt']);
    expect(stage).toMatchObject({
      wallMs: 6000,
      cpuMs: 2000,
      addressSpaceBytes: 200 * 1024 * 1024,
      processes: 20,
      stackBytes: 64000 * 1024,
      truncateOutput: true,
    });
  });

  it('creates containers with the compile limits when the language compiles', () => {
    const config = loadConfig({});
    expect(containerLimitsFor(config, runtime({ pids: 32 }))).toEqual({ memoryMb: 256, pids: 32 });
    expect(containerLimitsFor(config, runtime({ pids: 512 }, ['cc']))).toEqual({ memoryMb: 1024, pids: 512 });
  });

  it('adds a compile stage without stdin before a run stage with stdin', () => {
    const config = loadConfig({});
    const rt = runtime({}, ['gcc', '{files:.c}']);
    const request = buildAgentRequest(config, rt, validated(), resolveLimits(config, rt, validated()));
    expect(request.stages.map((s) => [s.name, s.attachStdin, s.wallMs, s.pauseBefore])).toEqual([
      ['compile', false, 10000, false],
      // Whether the run stage pauses for new limits is the sandbox layer's decision (limit-policy.ts).
      ['run', true, 5000, false],
    ]);
    expect(request.stages[0]!.argv).toEqual(['gcc', 'src/main.c', 'src/util.c']);
    expect(request.closeStdin).toBe(true);
    const interactive = buildAgentRequest(config, rt, validated(), resolveLimits(config, rt, validated()), {
      interactive: true,
    });
    expect(interactive.closeStdin).toBe(false);
    expect(request.stages[1]!.argv).toEqual(['./main', '1', '2']);
    expect(request.stages[1]!.env).toContain('A=b');
    expect(request.stages[1]!.env).toContain('HOME=/work');
    expect(request.stdin.toString()).toBe('in');
  });

  it('offers the first stage to a pre-started interpreter only when it is the plain command it stands in for', () => {
    const config = loadConfig({});
    const base = runtime();
    const rt: Runtime = {
      ...base,
      manifest: {
        ...base.manifest,
        run: ['python3', '-u', '{interpreterArgs}', '{entry}', '{args}'],
        prestart: { command: ['/launcher', 'python3', '-u'], replaces: ['python3', '-u'] },
      },
    };
    const plan = (run: ValidatedRun) => buildAgentRequest(config, rt, run, resolveLimits(config, rt, run));
    const plain = plan(validated());
    expect(plain.stages.map((s) => s.prestart === true)).toEqual([true]);
    expect(plain.stages[0]!.argv).toEqual(['python3', '-u', 'src/main.c', '1', '2']);
    // An interpreter option of the request's own would come before the entry: the plain start runs it.
    const withOption = validated();
    withOption.body.interpreterArgs = ['-O'];
    expect(plan(withOption).stages[0]!.prestart).toBeUndefined();
    // With test cases only the first test can take it (the agent discards it after the first stage).
    const tests = validated();
    tests.body.tests = [{}, {}];
    tests.testFiles = [[], []];
    expect(plan(tests).stages.map((s) => s.prestart === true)).toEqual([true, false]);
    // The launcher starts with the run stage's env and default limits, and the largest CPU limit a run may have.
    const prestart = prestartFor(config, rt)!;
    expect(prestart.replaces).toEqual(['python3', '-u']);
    expect(prestart.stage.argv).toEqual(['/launcher', 'python3', '-u']);
    expect(prestart.stage.env).toEqual(plain.stages[0]!.env);
    expect(prestart.stage.fileSizeBytes).toBe(plain.stages[0]!.fileSizeBytes);
    expect(prestart.stage.cpuMs).toBe(config.RUN_MAX_TIMEOUT_MS);
    expect(prestartFor(config, runtime())).toBeUndefined();
  });
});
