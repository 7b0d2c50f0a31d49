import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config/config.js';
import { containerLimitsFor } from './runs/run-plan.js';
import { Metrics } from './observability/metrics.js';
import type { RunStore } from './store/run-store.js';
import { SqliteRunStore } from './store/sqlite-run-store.js';
import { RunService } from './runs/run-service.js';
import { loadRuntimes, type LoadedRuntimes } from './runtimes/runtime-registry.js';
import { DockerSandboxDriver } from './sandbox/docker-sandbox-driver.js';
import { SandboxPools } from './sandbox/sandbox-pools.js';

/** The repository root, found relative to this file in both src/ (tsx) and dist/ (built). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CodeRunnerServer {
  app: FastifyInstance;
  pools: SandboxPools;
  driver: DockerSandboxDriver;
  runs: RunService;
  unavailable: LoadedRuntimes['unavailable'];
  orphansRemoved: number;
}

/**
 * Wires a whole server on a Docker client: removes orphaned containers, loads runtimes, starts the warm pools
 * and builds the app. main.ts calls it with the real engine; tests call it the same way.
 */
export async function createServer(options: {
  config: Config;
  docker: Docker;
  logger: FastifyBaseLogger;
  onAgentLog?: (containerId: string, line: string) => void;
}): Promise<CodeRunnerServer> {
  const { config } = options;
  const driver = new DockerSandboxDriver({
    docker: options.docker,
    instanceId: randomUUID(),
    runtime: config.SANDBOX_RUNTIME,
    cpus: config.SANDBOX_CPUS,
    workdirMb: config.SANDBOX_WORKDIR_MB,
    tmpMb: config.SANDBOX_TMP_MB,
    readyTimeoutMs: config.SANDBOX_READY_TIMEOUT_MS,
    engineTimeoutMs: config.SANDBOX_ENGINE_TIMEOUT_MS,
    ...(options.onAgentLog ? { onAgentLog: options.onAgentLog } : {}),
  });
  await driver.ping();
  const orphansRemoved = await driver.removeOrphans();
  const { registry, unavailable } = await loadRuntimes({
    runtimesDir: config.RUNTIMES_DIR || join(REPO_ROOT, 'runtimes'),
    enabled: config.languages,
    driver,
  });
  const specs = registry
    .list()
    .map((r) => ({ language: r.language, image: r.image, ...containerLimitsFor(config, r) }));
  const pools = new SandboxPools({
    driver,
    specs,
    sizeFor: (language) => {
      const fixed = config.poolSizes[language];
      if (fixed !== undefined) return { idle: fixed, busy: fixed };
      return { idle: Math.min(config.POOL_IDLE_SIZE, config.POOL_SIZE), busy: config.POOL_SIZE };
    },
    idleAfterMs: config.POOL_IDLE_AFTER_MS,
    maxConcurrentCreates: config.POOL_MAX_CONCURRENT_CREATES,
    logger: options.logger,
  });
  // The metrics read the queue and the pools when scraped; the run service tells them of every run's end.
  const metrics: Metrics = new Metrics({ queue: () => runs.queueStats(), pools: () => pools.stats() });
  const store = openRunStore(config);
  const runs: RunService = new RunService({
    config,
    registry,
    pools,
    logger: options.logger,
    observer: metrics,
    ...(store ? { store } : {}),
  });
  const app = await buildApp({
    config,
    logger: options.logger,
    runs,
    registry,
    pools,
    driver,
    metrics,
    ...(store ? { store } : {}),
    ...(config.SERVE_CLIENT ? { clientDir: config.CLIENT_DIR || join(REPO_ROOT, 'client', 'dist') } : {}),
  });
  pools.start();
  return { app, pools, driver, runs, unavailable, orphansRemoved };
}

/** The run store the configuration asks for: SQLite in the state folder (the default), in memory, or none. */
function openRunStore(config: Config): RunStore | null {
  if (config.RUN_STORE === 'none') return null;
  const file =
    config.RUN_STORE === 'memory'
      ? ':memory:'
      : join(config.STATE_DIR || join(REPO_ROOT, '.state'), 'runs.sqlite');
  return new SqliteRunStore(file);
}
