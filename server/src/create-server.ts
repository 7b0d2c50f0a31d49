import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, prestartAllowed, type Config } from './config/config.js';
import { containerLimitsFor, prestartFor } from './runs/run-plan.js';
import { Metrics } from './observability/metrics.js';
import type { RunStore } from './store/run-store.js';
import { SqliteRunStore } from './store/sqlite-run-store.js';
import { PgRunStore } from './store/pg-run-store.js';
import { WebhookSender } from './runs/webhooks.js';
import { RunService } from './runs/run-service.js';
import { loadRuntimes, type LoadedRuntimes, type RuntimeRegistry } from './runtimes/runtime-registry.js';
import { loadRuntimeManifests } from './runtimes/runtime-manifest.js';
import { MemoryKeySlots, RedisKeySlots, type KeySlots } from './runs/key-slots.js';
import { RemoteRuns } from './runs/remote/remote-runs.js';
import { RunWorker } from './runs/remote/run-worker.js';
import { redisNames } from './runs/remote/wire.js';
import { groupOf, LiveWorkers, WorkerAnnouncer } from './runs/remote/workers.js';
import { DockerSandboxDriver } from './sandbox/docker-sandbox-driver.js';
import { SandboxPools } from './sandbox/sandbox-pools.js';

/** The repository root, found relative to this file in both src/ (tsx) and dist/ (built). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CodeRunnerServer {
  app: FastifyInstance;
  /** This process's pools and engine (absent on an API-only process). */
  pools: SandboxPools;
  driver: DockerSandboxDriver;
  /** The run service the app serves: local, or dispatching to workers with REDIS_URL. */
  runs: RunService;
  unavailable: LoadedRuntimes['unavailable'];
  orphansRemoved: number;
  /** With REDIS_URL: this process's worker (role all). */
  worker?: RunWorker;
}

export interface ServerOptions {
  config: Config;
  docker: Docker;
  logger: FastifyBaseLogger;
  onAgentLog?: (containerId: string, line: string) => void;
}

/** What executes runs on this host: the engine, the runtimes it has images for, warm pools, a local service. */
interface LocalParts {
  driver: DockerSandboxDriver;
  registry: RuntimeRegistry;
  unavailable: LoadedRuntimes['unavailable'];
  orphansRemoved: number;
  pools: SandboxPools;
  store: RunStore | null;
  metrics: Metrics;
  runs: RunService;
  webhooks: WebhookSender | null;
}

async function createLocalParts(
  options: ServerOptions,
  observe: boolean,
  keySlots: KeySlots | undefined,
): Promise<LocalParts> {
  const { config } = options;
  await checkPrestartLanguages(config);
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
    runtimesDir: runtimesDirOf(config),
    enabled: config.languages,
    driver,
  });
  const specs = registry.list().map((r) => {
    const prestart = prestartAllowed(config, r.language) ? prestartFor(config, r) : undefined;
    return {
      language: r.language,
      image: r.image,
      ...containerLimitsFor(config, r),
      ...(prestart ? { prestart } : {}),
    };
  });
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
  const store = await openRunStore(config, options.logger);
  const webhooks = webhookSenderOf(config, options.logger);
  const runs: RunService = new RunService({
    config,
    registry,
    pools,
    logger: options.logger,
    ...(observe ? { observer: metrics } : {}),
    ...(store ? { store } : {}),
    ...(keySlots ? { keySlots } : {}),
    ...(webhooks ? { webhooks } : {}),
    // Embedded, nobody else reads this process's store; a worker's is read by API processes too.
    ...(config.REDIS_URL ? {} : { recordAfterReply: true }),
  });
  return { driver, registry, unavailable, orphansRemoved, pools, store, metrics, runs, webhooks };
}

/**
 * Wires a whole server on a Docker client: removes orphaned containers, loads runtimes, starts the warm pools
 * and builds the app. main.ts calls it with the real engine; tests call it the same way. With REDIS_URL (role
 * all) the app's runs go through the queue, and this process is also one of its workers.
 */
export async function createServer(options: ServerOptions): Promise<CodeRunnerServer> {
  const { config } = options;
  if (!config.REDIS_URL) {
    const keySlots = config.RUN_MAX_PER_KEY > 0 ? new MemoryKeySlots(config.RUN_MAX_PER_KEY) : undefined;
    const local = await createLocalParts(options, true, keySlots);
    const app = await buildApp({
      config,
      logger: options.logger,
      runs: local.runs,
      registry: local.registry,
      pools: local.pools,
      driver: local.driver,
      metrics: local.metrics,
      ...(local.store ? { store: local.store } : {}),
      ...clientOf(config),
    });
    // After the app's own onClose (runs refused, pools closed): tries under way finish, no retry starts.
    const webhooks = local.webhooks;
    if (webhooks) app.addHook('onClose', () => webhooks.close());
    local.pools.start();
    return { app, ...local };
  }
  const worker = await createWorker(options);
  try {
    const api = await createApiServer(options, {
      pools: worker.pools,
      driver: worker.driver,
      store: worker.store,
    });
    api.app.addHook('onClose', async () => worker.close());
    return {
      app: api.app,
      runs: api.runs,
      pools: worker.pools,
      driver: worker.driver,
      unavailable: worker.unavailable,
      orphansRemoved: worker.orphansRemoved,
      worker: worker.worker,
    };
  } catch (err) {
    await worker.close();
    throw err;
  }
}

function redisOf(config: Config): Redis {
  // A few quick retries, then the command fails (a run gets 503) rather than hanging on a lost Redis.
  return new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, connectTimeout: 5000, lazyConnect: false });
}

/**
 * The API process of the distributed mode: HTTP, validation and the run store; runs go to workers through
 * BullMQ. Needs no Docker engine: the languages it offers are those the live workers announce. `local` is
 * this process's own worker parts when it is one too (role all): the app then also closes them.
 */
export async function createApiServer(
  options: Pick<ServerOptions, 'config' | 'logger'>,
  local?: { pools: SandboxPools; driver: DockerSandboxDriver; store: RunStore | null },
): Promise<{ app: FastifyInstance; runs: RunService; live: LiveWorkers }> {
  const { config, logger } = options;
  const names = redisNames(config.QUEUE_PREFIX);
  const redis = redisOf(config);
  const subscriber = redisOf(config);
  const closeRedis = async () => {
    redis.disconnect();
    subscriber.disconnect();
  };
  try {
    await redis.ping();
    const manifests = await loadRuntimeManifests(runtimesDirOf(config));
    const known = new Set(manifests.flatMap((m) => [m.language, ...m.aliases].map((n) => n.toLowerCase())));
    const timing = { heartbeatMs: Math.min(config.WORKER_HEARTBEAT_MS, 1000), ttlMs: config.WORKER_TTL_MS };
    const warn = (err: Error) => logger.warn({ err: err.message }, 'could not read the live workers');
    const live = new LiveWorkers(redis, names, known, timing, warn);
    await live.start();
    const remote = new RemoteRuns({
      redis,
      subscriber,
      names,
      live,
      apiId: randomUUID(),
      maxQueued: config.RUN_MAX_QUEUED,
      queueTimeoutMs: config.RUN_QUEUE_TIMEOUT_MS,
      logger,
    });
    await remote.start();
    // One store per process: the worker's when this process is one too (its close closes it).
    const store = local ? local.store : await openRunStore(config, options.logger);
    const webhooks = webhookSenderOf(config, logger);
    const metrics: Metrics = new Metrics({
      queue: () => runs.queueStats(),
      pools: () => live.pools(),
      workers: () => live.live(),
    });
    const runs: RunService = new RunService({
      config,
      registry: live,
      pools: { acquire: () => Promise.reject(new Error('an API process has no pools')) },
      logger,
      observer: metrics,
      remote,
      ...(store ? { store } : {}),
      ...(webhooks ? { webhooks } : {}),
      ...(config.RUN_MAX_PER_KEY > 0
        ? { keySlots: new RedisKeySlots(redis, names.prefix, config.RUN_MAX_PER_KEY) }
        : {}),
    });
    const app = await buildApp({
      config,
      logger,
      runs,
      registry: live,
      ...(local ? { pools: local.pools, driver: local.driver } : {}),
      remote: {
        ping: async () => {
          await redis.ping();
        },
        workers: () => live.live(),
        pools: () => live.pools(),
      },
      metrics,
      ...(store ? { store } : {}),
      ...clientOf(config),
      onClose: async () => {
        live.stop();
        await remote.close();
        await webhooks?.close();
        await closeRedis();
      },
    });
    return { app, runs, live };
  } catch (err) {
    await closeRedis();
    throw err;
  }
}

export interface WorkerProcess {
  worker: RunWorker;
  runs: RunService;
  store: RunStore | null;
  pools: SandboxPools;
  driver: DockerSandboxDriver;
  unavailable: LoadedRuntimes['unavailable'];
  orphansRemoved: number;
  /** Stops taking runs, waits for those held, withdraws the announcement, removes every container. */
  close(): Promise<void>;
}

/**
 * A worker of the distributed mode: this host's engine, warm pools and local run service, fed by the BullMQ
 * queue of its group (the runtimes it has and its sandbox runtime), announced in Redis every heartbeat.
 */
export async function createWorker(options: ServerOptions): Promise<WorkerProcess> {
  const { config, logger } = options;
  const names = redisNames(config.QUEUE_PREFIX);
  const redis = redisOf(config);
  const subscriber = redisOf(config);
  let local: LocalParts | null = null;
  let announcer: WorkerAnnouncer | null = null;
  let worker: RunWorker | null = null;
  const close = async () => {
    await worker?.close();
    await announcer?.stop().catch(() => undefined);
    await local?.pools.close();
    await local?.driver.removeOwned();
    await local?.store?.close();
    await local?.webhooks?.close();
    redis.disconnect();
    subscriber.disconnect();
  };
  try {
    await redis.ping();
    local = await createLocalParts(options, false, undefined);
    const runtimes = [...local.registry.list()];
    const group = groupOf(config.SANDBOX_RUNTIME, runtimes);
    const workerId = randomUUID();
    worker = new RunWorker({
      workerId,
      connection: { url: config.REDIS_URL },
      redis,
      subscriber,
      names,
      queue: names.queue(group),
      runs: local.runs,
      keySlots: new RedisKeySlots(redis, names.prefix, Math.max(1, config.RUN_MAX_PER_KEY)),
      concurrency: config.RUN_MAX_CONCURRENT,
      queueTimeoutMs: config.RUN_QUEUE_TIMEOUT_MS,
      lockMs: config.QUEUE_LOCK_MS,
      stalledIntervalMs: config.QUEUE_STALLED_INTERVAL_MS,
      logger,
    });
    const running = worker;
    const pools = local.pools;
    pools.start();
    await worker.start();
    announcer = new WorkerAnnouncer(
      redis,
      names,
      {
        id: workerId,
        group,
        sandboxRuntime: config.SANDBOX_RUNTIME,
        concurrency: config.RUN_MAX_CONCURRENT,
        runtimes,
      },
      () => ({ running: running.running, pools: pools.stats() }),
      { heartbeatMs: config.WORKER_HEARTBEAT_MS, ttlMs: config.WORKER_TTL_MS },
      (err) => logger.warn({ err: err.message }, 'could not announce this worker'),
    );
    await announcer.start();
    return {
      worker,
      runs: local.runs,
      store: local.store,
      pools: local.pools,
      driver: local.driver,
      unavailable: local.unavailable,
      orphansRemoved: local.orphansRemoved,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Webhooks only with a key to sign them; without one a callbackUrl gets 400 CR_ERR_RUN_WEBHOOKS_DISABLED. */
function webhookSenderOf(config: Config, logger: FastifyBaseLogger): WebhookSender | null {
  return config.WEBHOOK_SECRET
    ? new WebhookSender({
        secret: config.WEBHOOK_SECRET,
        allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        logger,
      })
    : null;
}

/** A RUN_PRESTART list may name only languages whose runtime.json declares a prestart (a typo would quietly mean
 * plain starts). */
async function checkPrestartLanguages(config: Config): Promise<void> {
  const named = config.RUN_PRESTART;
  if (typeof named === 'boolean') return;
  const manifests = new Map((await loadRuntimeManifests(runtimesDirOf(config))).map((m) => [m.language, m]));
  const problems = named.flatMap((language) => {
    const m = manifests.get(language);
    if (!m) return [`RUN_PRESTART names ${language}, which is not a language under ${runtimesDirOf(config)}`];
    if (!m.prestart) return [`RUN_PRESTART names ${language}, whose runtime.json declares no prestart`];
    return [];
  });
  if (problems.length > 0) throw new ConfigError(problems);
}

function runtimesDirOf(config: Config): string {
  return config.RUNTIMES_DIR || join(REPO_ROOT, 'runtimes');
}

function clientOf(config: Config): { clientDir?: string } {
  return config.SERVE_CLIENT ? { clientDir: config.CLIENT_DIR || join(REPO_ROOT, 'client', 'dist') } : {};
}

/**
 * The run store the configuration asks for: PostgreSQL with DATABASE_URL (shared by every process of a
 * deployment), else SQLite in the state folder (the default), in memory, or none.
 */
async function openRunStore(config: Config, logger: FastifyBaseLogger): Promise<RunStore | null> {
  if (config.DATABASE_URL) {
    // Never log DATABASE_URL: it may hold a password. pg's errors name host and port only.
    return PgRunStore.open(config.DATABASE_URL, {
      onIdleError: (err) =>
        logger.warn({ err: err.message }, 'run store: an idle PostgreSQL connection failed'),
    });
  }
  if (config.RUN_STORE === 'none') return null;
  const file =
    config.RUN_STORE === 'memory'
      ? ':memory:'
      : join(config.STATE_DIR || join(REPO_ROOT, '.state'), 'runs.sqlite');
  return new SqliteRunStore(file);
}
