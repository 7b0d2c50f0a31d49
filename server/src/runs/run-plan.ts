import type { Config } from '../config/config.js';
import type { AgentRequest, AgentStage } from '../sandbox/agent-protocol.js';
import type { Runtime } from '../runtimes/runtime-registry.js';
import type { ValidatedRun } from './run-request.js';

/** Limits of one run after layering server default, runtime.json and request. */
export interface ResolvedLimits {
  timeoutMs: number;
  memoryMb: number;
  outputBytes: number;
  compileTimeoutMs: number;
  compileMemoryMb: number;
}

export type PlanConfig = Pick<
  Config,
  'RUN_DEFAULT_TIMEOUT_MS' | 'RUN_DEFAULT_MEMORY_MB' | 'RUN_DEFAULT_OUTPUT_KB' | 'RUN_FILE_SIZE_MB'
>;

const COMPILE_DEFAULT_TIMEOUT_MS = 10000;
const COMPILE_DEFAULT_MEMORY_MB = 1024;
const BASE_ENV = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME=/work',
  'LANG=C.UTF-8',
  'TMPDIR=/tmp',
];

/** Server default, then the runtime's runtime.json, then the request (already capped by validation). */
export function resolveLimits(config: PlanConfig, runtime: Runtime, run: ValidatedRun): ResolvedLimits {
  const requested = run.body.limits ?? {};
  const m = runtime.manifest;
  return {
    timeoutMs: requested.timeoutMs ?? m.limits.timeoutMs ?? config.RUN_DEFAULT_TIMEOUT_MS,
    memoryMb: requested.memoryMb ?? m.limits.memoryMb ?? config.RUN_DEFAULT_MEMORY_MB,
    outputBytes: (requested.outputKb ?? config.RUN_DEFAULT_OUTPUT_KB) * 1024,
    compileTimeoutMs: m.compileLimits.timeoutMs ?? COMPILE_DEFAULT_TIMEOUT_MS,
    compileMemoryMb: m.compileLimits.memoryMb ?? COMPILE_DEFAULT_MEMORY_MB,
  };
}

/**
 * Expands a runtime command template. An argument that is exactly `{files}`, `{files:.ext}` or `{args}`
 * becomes several arguments; `{entry}` and `{entryStem}` are replaced anywhere inside an argument.
 */
export function expandCommand(
  template: readonly string[],
  context: { entry: string; files: readonly string[]; args: readonly string[] },
): string[] {
  const stem = context.entry.replace(/\.[^./]*$/, '');
  const out: string[] = [];
  for (const arg of template) {
    if (arg === '{args}') {
      out.push(...context.args);
      continue;
    }
    if (arg === '{files}') {
      out.push(...context.files);
      continue;
    }
    const filtered = /^\{files:(\.[A-Za-z0-9+]+)\}$/.exec(arg);
    if (filtered) {
      out.push(...context.files.filter((f) => f.endsWith(filtered[1]!)));
      continue;
    }
    out.push(arg.replaceAll('{entryStem}', stem).replaceAll('{entry}', context.entry));
  }
  return out;
}

/** The agent request for a validated run: files, optional compile stage, run stage, stdin. */
export function buildAgentRequest(
  config: PlanConfig,
  runtime: Runtime,
  run: ValidatedRun,
  limits: ResolvedLimits,
): AgentRequest {
  const m = runtime.manifest;
  const env = [...BASE_ENV, ...Object.entries(m.env).map(([k, v]) => `${k}=${v}`)];
  const context = { entry: run.entry, files: run.files.map((f) => f.name), args: run.body.args ?? [] };
  const fileSizeBytes = config.RUN_FILE_SIZE_MB * 1024 * 1024;
  const stages: AgentStage[] = [];
  if (m.compile) {
    stages.push({
      name: 'compile',
      argv: expandCommand(m.compile, { ...context, args: [] }),
      env,
      wallMs: limits.compileTimeoutMs,
      cpuMs: limits.compileTimeoutMs,
      fileSizeBytes,
      outputBytes: limits.outputBytes,
      attachStdin: false,
    });
  }
  stages.push({
    name: 'run',
    argv: expandCommand(m.run, context),
    env,
    wallMs: limits.timeoutMs,
    cpuMs: limits.timeoutMs,
    fileSizeBytes,
    outputBytes: limits.outputBytes,
    attachStdin: true,
  });
  return {
    files: run.files.map((f) => ({ name: f.name, content: f.content, executable: false })),
    stages,
    stdin: Buffer.from(run.body.stdin ?? '', 'utf8'),
    closeStdin: true,
  };
}
