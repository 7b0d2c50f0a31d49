import type { Config } from '../config/config.js';
import type { AgentPrestart, AgentRequest, AgentStage } from '../sandbox/agent-protocol.js';
import type { ContainerLimits } from '../sandbox/sandbox.js';
import type { Runtime } from '../runtimes/runtime-registry.js';
import { expandCommand } from './command-template.js';
import type { ValidatedRun } from './run-request.js';

export type { ContainerLimits };

/** Limits of one stage after layering server default, runtime.json and request. */
export interface StageLimits extends ContainerLimits {
  timeoutMs: number;
  cpuTimeMs: number;
}

/** The run stage's limits, with the per-process ones a request may add (absent: none beyond the container's). */
export interface RunStageLimits extends StageLimits {
  addressSpaceMb?: number;
  processes?: number;
  stackKb?: number;
}

/** Limits of one run: its run stage, its compile stage (null when the language does not compile), output. */
export interface ResolvedLimits {
  run: RunStageLimits;
  compile: StageLimits | null;
  outputBytes: number;
  /** Past outputBytes the run stage's output is dropped and the program goes on (else it is killed). */
  truncateOutput: boolean;
}

export type PlanConfig = Pick<
  Config,
  | 'RUN_DEFAULT_TIMEOUT_MS'
  | 'RUN_DEFAULT_MEMORY_MB'
  | 'RUN_DEFAULT_OUTPUT_KB'
  | 'RUN_FILE_SIZE_MB'
  | 'SANDBOX_PIDS'
  | 'COMPILE_DEFAULT_TIMEOUT_MS'
  | 'COMPILE_DEFAULT_MEMORY_MB'
  | 'COMPILE_PIDS'
  | 'RUN_OUTPUT_FILES_MAX'
  | 'RUN_OUTPUT_FILES_MAX_KB'
  | 'RUN_MAX_TIMEOUT_MS'
  | 'COMPILE_MAX_TIMEOUT_MS'
  | 'SANDBOX_READY_TIMEOUT_MS'
>;

const BASE_ENV = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME=/work',
  'LANG=C.UTF-8',
  'TMPDIR=/tmp',
];

/** The environment every stage of a runtime runs with: the base plus runtime.json's env. */
export function envOf(runtime: Pick<Runtime, 'manifest'>): string[] {
  return [...BASE_ENV, ...Object.entries(runtime.manifest.env).map(([k, v]) => `${k}=${v}`)];
}

/**
 * The pre-started process of a runtime's warm containers (runtime.json `prestart`), or undefined: the launcher
 * with the env and limits of the first stage (the compile when there is one, else the run), so that a first
 * stage with those takes it over. Its CPU limit is the largest such a stage may have (the agent counts the
 * stage's own from the hand-over and holds it to the stage's limit); its wall limit is how long the agent waits
 * for it to be ready before the container is.
 */
export function prestartFor(
  config: PlanConfig,
  runtime: Pick<Runtime, 'manifest'>,
): AgentPrestart | undefined {
  const p = runtime.manifest.prestart;
  if (!p) return undefined;
  return {
    replaces: p.replaces,
    stage: {
      name: runtime.manifest.compile ? 'compile' : 'run',
      argv: p.command,
      env: envOf(runtime),
      wallMs: Math.max(1, Math.min(10000, Math.floor(config.SANDBOX_READY_TIMEOUT_MS / 2))),
      cpuMs: runtime.manifest.compile ? config.COMPILE_MAX_TIMEOUT_MS : config.RUN_MAX_TIMEOUT_MS,
      fileSizeBytes: config.RUN_FILE_SIZE_MB * 1024 * 1024,
      outputBytes: 0,
      attachStdin: true,
      pauseBefore: false,
    },
  };
}

/**
 * The limits a runtime's warm containers are created with: the compile stage's when it compiles (it runs
 * first), else the run stage's defaults.
 */
export function containerLimitsFor(config: PlanConfig, runtime: Pick<Runtime, 'manifest'>): ContainerLimits {
  const m = runtime.manifest;
  const run = {
    memoryMb: m.limits.memoryMb ?? config.RUN_DEFAULT_MEMORY_MB,
    pids: m.limits.pids ?? config.SANDBOX_PIDS,
  };
  if (!m.compile) return run;
  return {
    memoryMb: m.compileLimits.memoryMb ?? config.COMPILE_DEFAULT_MEMORY_MB,
    pids: m.compileLimits.pids ?? Math.max(run.pids, config.COMPILE_PIDS),
  };
}

/** Server default, then the runtime's runtime.json, then the request (already capped by validation). */
export function resolveLimits(config: PlanConfig, runtime: Runtime, run: ValidatedRun): ResolvedLimits {
  const requested = run.body.limits ?? {};
  const m = runtime.manifest;
  const compileContainer = containerLimitsFor(config, runtime);
  const timeoutMs = requested.timeoutMs ?? m.limits.timeoutMs ?? config.RUN_DEFAULT_TIMEOUT_MS;
  const runLimits: RunStageLimits = {
    timeoutMs,
    cpuTimeMs: requested.cpuTimeMs ?? timeoutMs,
    // Tests share the run's container: it gets the largest memory any of them asks for, and a test that used
    // more than its own is judged memory_limit from its peak.
    memoryMb: Math.max(
      requested.memoryMb ?? m.limits.memoryMb ?? config.RUN_DEFAULT_MEMORY_MB,
      ...(run.body.tests ?? []).map((t) => t.memoryMb ?? 0),
    ),
    pids: m.limits.pids ?? config.SANDBOX_PIDS,
  };
  if (requested.addressSpaceMb !== undefined) runLimits.addressSpaceMb = requested.addressSpaceMb;
  if (requested.processes !== undefined) runLimits.processes = requested.processes;
  if (requested.stackKb !== undefined) runLimits.stackKb = requested.stackKb;
  const compileTimeoutMs =
    requested.compile?.timeoutMs ?? m.compileLimits.timeoutMs ?? config.COMPILE_DEFAULT_TIMEOUT_MS;
  return {
    run: runLimits,
    compile: m.compile
      ? {
          timeoutMs: compileTimeoutMs,
          cpuTimeMs: requested.compile?.cpuTimeMs ?? compileTimeoutMs,
          memoryMb: requested.compile?.memoryMb ?? compileContainer.memoryMb,
          pids: compileContainer.pids,
        }
      : null,
    outputBytes: (requested.outputKb ?? config.RUN_DEFAULT_OUTPUT_KB) * 1024,
    truncateOutput: requested.outputOverflow === 'truncate',
  };
}

/**
 * The agent request for a validated run: files, optional compile stage, run stage, stdin. Whether the run stage
 * pauses for new container limits is the sandbox layer's decision (sandbox/limit-policy.ts), not the plan's.
 * `interactive` keeps stdin open after `stdin` for typed input (WebSocket runs).
 */
export function buildAgentRequest(
  config: PlanConfig,
  runtime: Runtime,
  run: ValidatedRun,
  limits: ResolvedLimits,
  options: { interactive?: boolean } = {},
): AgentRequest {
  const m = runtime.manifest;
  const env = envOf(runtime);
  const context = {
    entry: run.entry,
    files: run.files.map((f) => f.name),
    args: run.body.args ?? [],
    compileArgs: run.body.compileArgs ?? [],
    linkArgs: run.body.linkArgs ?? [],
    interpreterArgs: run.body.interpreterArgs ?? [],
  };
  const fileSizeBytes = config.RUN_FILE_SIZE_MB * 1024 * 1024;
  const stages: AgentStage[] = [];
  if (m.compile && limits.compile) {
    stages.push({
      name: 'compile',
      argv: expandCommand(m.compile, { ...context, args: [] }),
      env,
      wallMs: limits.compile.timeoutMs,
      cpuMs: limits.compile.cpuTimeMs,
      fileSizeBytes,
      outputBytes: limits.outputBytes,
      attachStdin: false,
      pauseBefore: false,
    });
  }
  const runStage: AgentStage = {
    name: 'run',
    argv: expandCommand(m.run, context),
    env,
    wallMs: limits.run.timeoutMs,
    cpuMs: limits.run.cpuTimeMs,
    fileSizeBytes,
    outputBytes: limits.outputBytes,
    attachStdin: true,
    pauseBefore: false,
    truncateOutput: limits.truncateOutput,
    addressSpaceBytes: (limits.run.addressSpaceMb ?? 0) * 1024 * 1024,
    processes: limits.run.processes ?? 0,
    stackBytes: (limits.run.stackKb ?? 0) * 1024,
    collectOutputs: config.RUN_OUTPUT_FILES_MAX > 0 && config.RUN_OUTPUT_FILES_MAX_KB > 0,
  };
  const tests = run.body.tests;
  if (tests) {
    // One run stage per test in the same container: the work dir back to the project's files plus the test's
    // own, its stdin and args, its limits. With stopOnFirstFailure each test after the first waits for the
    // server's go, which the server gives only while every test so far passed.
    for (const [i, test] of tests.entries()) {
      const timeoutMs = test.timeoutMs ?? limits.run.timeoutMs;
      stages.push({
        ...runStage,
        argv: expandCommand(m.run, { ...context, args: test.args ?? context.args }),
        wallMs: timeoutMs,
        cpuMs: test.timeoutMs ?? limits.run.cpuTimeMs,
        attachStdin: false,
        pauseBefore: run.body.stopOnFirstFailure === true && i > 0,
        ownStdin: Buffer.from(test.stdin ?? '', 'utf8'),
        resetWorkDir: true,
        files: (run.testFiles[i] ?? []).map((f) => ({ name: f.name, content: f.content, executable: false })),
      });
    }
  } else {
    stages.push(runStage);
  }
  // The container's pre-started process may take the first stage when it is the plain command it stands in
  // for: the compile, or a run without interpreter options of the request's own (the agent checks env and
  // limits).
  const first = stages[0];
  if (
    m.prestart &&
    first &&
    (first.name === 'compile' || context.interpreterArgs.length === 0) &&
    m.prestart.replaces.every((arg, i) => first.argv[i] === arg)
  ) {
    stages[0] = { ...first, prestart: true };
  }
  return {
    files: run.files.map((f) => ({ name: f.name, content: f.content, executable: false })),
    stages,
    stdin: Buffer.from(run.body.stdin ?? '', 'utf8'),
    closeStdin: options.interactive !== true,
    outputGlobs: run.body.outputs ?? [],
    maxOutputFiles: config.RUN_OUTPUT_FILES_MAX,
    maxOutputBytes: config.RUN_OUTPUT_FILES_MAX_KB * 1024,
  };
}

/** The container limits of a run's first stage and of its run stage, for the sandbox layer's limit policy. */
export function containerLimitsOf(limits: ResolvedLimits): { first: ContainerLimits; run: ContainerLimits } {
  const pick = (l: StageLimits): ContainerLimits => ({ memoryMb: l.memoryMb, pids: l.pids });
  return { first: pick(limits.compile ?? limits.run), run: pick(limits.run) };
}
