/**
 * The server's real parts (runtime registry, pools, run service, app) over the fake driver, for unit tests.
 * Runtimes come from a temporary RUNTIMES_DIR read by the real loadRuntimes:
 *
 * - `fake`:  run `sh {entry}`; a project is a script of fake commands (`echo hi`, `sleep 0.2`, `cat`, `exit 3`,
 *            or a program the test registered). Containers 64 MiB / 16 pids.
 * - `fakec`: the same with a compile stage `echo compiling {entry}`, compile containers 512 MiB / 128 pids, so
 *            the run stage needs new limits at the pause.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { vi } from 'vitest';
import { buildApp, type AppDeps } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { RunLifecycle, type RunState } from '../../src/runs/run-lifecycle.js';
import { containerLimitsFor } from '../../src/runs/run-plan.js';
import { RunService } from '../../src/runs/run-service.js';
import { loadRuntimes, type RuntimeRegistry } from '../../src/runtimes/runtime-registry.js';
import { SandboxPools } from '../../src/sandbox/sandbox-pools.js';
import type { PoolSize } from '../../src/sandbox/warm-pool.js';
import { FAULT_PROGRAMS } from './fake-programs.js';
import { FakeSandboxDriver, type FakeDriverOptions } from './fake-sandbox-driver.js';

export const FAKE_RUNTIMES = {
  fake: {
    language: 'fake',
    displayName: 'Fake shell',
    extensions: ['sh'],
    versionCommand: ['sh', '--version'],
    run: ['sh', '{entry}'],
    limits: { memoryMb: 64, pids: 16 },
  },
  fakec: {
    language: 'fakec',
    displayName: 'Fake compiled',
    extensions: ['fc'],
    versionCommand: ['sh', '--version'],
    compile: ['echo', 'compiling', '{entry}'],
    run: ['sh', '{entry}'],
    limits: { memoryMb: 64, pids: 16 },
    compileLimits: { memoryMb: 512, pids: 128 },
  },
} as const;

/** Writes the fake runtimes to a new temporary folder; returns it. */
export async function writeFakeRuntimes(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'coderunner-fake-runtimes-'));
  for (const [language, manifest] of Object.entries(FAKE_RUNTIMES)) {
    await mkdir(join(dir, language));
    await writeFile(join(dir, language, 'runtime.json'), JSON.stringify(manifest));
  }
  return dir;
}

/** Small timeouts for tests (below some schema minimums: the logic does not depend on them). */
export interface FastTimeouts {
  SANDBOX_ENGINE_TIMEOUT_MS?: number;
  RUN_ACQUIRE_TIMEOUT_MS?: number;
  RUN_QUEUE_TIMEOUT_MS?: number;
}

export interface FakeStackOptions {
  /** Configuration keys, as the environment would give them. */
  env?: Record<string, string>;
  /** Timeouts set directly, past loadConfig's minimums. */
  timeouts?: FastTimeouts;
  driver?: FakeDriverOptions;
  /** Warm containers per language; default none ready, one created per acquire. */
  poolSize?: PoolSize;
}

export interface FakeStack {
  config: Config;
  driver: FakeSandboxDriver;
  registry: RuntimeRegistry;
  pools: SandboxPools;
  runs: RunService;
  /** What the pools and the run service logged at warn level. */
  warnings: Array<{ msg: string; obj: object }>;
  /** Closes the pools and removes the temporary runtimes folder. */
  close(): Promise<void>;
}

/** A run service with its pools and registry over a fresh fake driver (the fault programs registered). */
export async function createFakeStack(options: FakeStackOptions = {}): Promise<FakeStack> {
  const runtimesDir = await writeFakeRuntimes();
  const config: Config = {
    ...loadConfig({
      RUNTIMES_DIR: runtimesDir,
      LANGUAGES: 'fake,fakec',
      SERVE_CLIENT: 'false',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '0',
      ...options.env,
    }),
    SANDBOX_ENGINE_TIMEOUT_MS: 200,
    RUN_ACQUIRE_TIMEOUT_MS: 500,
    RUN_QUEUE_TIMEOUT_MS: 500,
    ...options.timeouts,
  };
  const driver = new FakeSandboxDriver({ programs: { ...FAULT_PROGRAMS }, ...options.driver });
  const { registry, unavailable } = await loadRuntimes({
    runtimesDir,
    enabled: config.languages,
    driver,
  });
  if (unavailable.length > 0) throw new Error(`fake runtimes unavailable: ${JSON.stringify(unavailable)}`);
  const warnings: FakeStack['warnings'] = [];
  const logger = {
    warn: (obj: object, msg: string) => void warnings.push({ obj, msg }),
    info: () => undefined,
    debug: () => undefined,
  };
  const pools = new SandboxPools({
    driver,
    specs: registry
      .list()
      .map((r) => ({ language: r.language, image: r.image, ...containerLimitsFor(config, r) })),
    sizeFor: () => options.poolSize ?? { idle: 0, busy: 0 },
    idleAfterMs: config.POOL_IDLE_AFTER_MS,
    maxConcurrentCreates: config.POOL_MAX_CONCURRENT_CREATES,
    logger,
  });
  const runs = new RunService({ config, registry, pools, logger });
  return {
    config,
    driver,
    registry,
    pools,
    runs,
    warnings,
    close: async () => {
      await pools.close();
      await rm(runtimesDir, { recursive: true, force: true });
    },
  };
}

/** The whole app (buildApp) over a fake stack, with any further parts; closing the app closes the pools. */
export async function buildFakeApp(stack: FakeStack, extra: Partial<AppDeps> = {}): Promise<FastifyInstance> {
  return buildApp({
    config: stack.config,
    logger: pino({ level: 'silent' }),
    runs: stack.runs,
    registry: stack.registry,
    pools: stack.pools,
    driver: stack.driver,
    ...extra,
  });
}

/** A run request body for the fake runtime: `script` is the project's only file, a fake shell script. */
export function fakeRun(script: string, extra: Record<string, unknown> = {}) {
  return { language: 'fake', files: [{ name: 'main.sh', content: script }], ...extra };
}

/**
 * Records the states every RunLifecycle created from now on walks through, one array per run in creation order
 * (`['queued', 'acquiring', 'running', 'finished']`). Undone by vi.restoreAllMocks().
 */
export function recordRunPaths(): string[][] {
  const paths: string[][] = [];
  const walked = new WeakMap<RunLifecycle, string[]>();
  // The real transition, taken before the spy replaces it.
  const original = Object.getOwnPropertyDescriptor(RunLifecycle.prototype, 'to')!.value as (
    this: RunLifecycle,
    state: RunState,
  ) => void;
  const to = (life: RunLifecycle, state: RunState) => original.call(life, state);
  vi.spyOn(RunLifecycle.prototype, 'to').mockImplementation(function (this: RunLifecycle, state) {
    let path = walked.get(this);
    if (!path) {
      walked.set(this, (path = [this.state]));
      paths.push(path);
    }
    to(this, state);
    path.push(state);
  });
  return paths;
}
