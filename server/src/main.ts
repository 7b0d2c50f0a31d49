/**
 * The entry point: the only place that reads process.env, wires the real Docker engine and listens.
 */
import Docker from 'dockerode';
import { pino, type Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createApiServer, createServer, createWorker } from './create-server.js';
import { logRedaction } from './http/request-log.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  // Readable lines for a person at a terminal (npm start); JSON lines for log collectors otherwise.
  const logger = pino({
    level: config.LOG_LEVEL,
    // No API key, ticket or other secret in any log line, request or not (http/request-log.ts).
    ...logRedaction,
    ...(process.stdout.isTTY
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss' } } }
      : {}),
  });
  const docker = new Docker({ socketPath: config.DOCKER_SOCKET });
  if (config.CODERUNNER_ROLE === 'worker') return runWorker(config, docker, logger);
  if (config.CODERUNNER_ROLE === 'api') return runApi(config, logger);
  let server;
  try {
    server = await createServer({
      config,
      docker,
      logger,
      onAgentLog: (container, line) => logger.debug({ container }, `agent: ${line}`),
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message); // a value the runtimes refuse (RUN_PRESTART naming a language without one)
      process.exit(2);
    }
    logger.fatal(
      `CodeRunner cannot start: ${(err as Error).message}\n` +
        'Run `npm start` from the repository root: it installs and starts the Docker engine and builds the images.',
    );
    process.exit(1);
  }
  const { app, unavailable, orphansRemoved, pools } = server;
  if (orphansRemoved > 0)
    logger.info(`removed ${orphansRemoved} orphaned container(s) left by a previous server`);
  for (const { language, reason } of unavailable)
    logger.error(`language ${language} is unavailable: ${reason}`);
  if (pools.stats().length === 0) {
    logger.fatal('no runtime is available: build the images with `npm run images`');
    await app.close();
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: refusing new runs, finishing in-flight ones, removing containers`);
    server.runs.beginShutdown();
    const force = setTimeout(() => {
      logger.error('shutdown grace period over; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS + 10000);
    force.unref();
    void (async () => {
      const deadline = Date.now() + config.SHUTDOWN_GRACE_MS;
      while (server.runs.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await app.close();
      logger.info('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await app.listen({ port: config.PORT, host: config.HOST });
  const languages = pools.stats().map((p) => p.language);
  logger.info(`CodeRunner is ready on http://${config.HOST}:${config.PORT} (${languages.join(', ')})`);
}

/** A worker of the distributed mode (CODERUNNER_ROLE=worker): no HTTP; runs jobs from Redis until SIGTERM. */
async function runWorker(config: Config, docker: Docker, logger: Logger): Promise<void> {
  let worker;
  try {
    worker = await createWorker({
      config,
      docker,
      logger,
      onAgentLog: (container, line) => logger.debug({ container }, `agent: ${line}`),
    });
  } catch (err) {
    logger.fatal(`CodeRunner worker cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  for (const { language, reason } of worker.unavailable)
    logger.error(`language ${language} is unavailable: ${reason}`);
  if (worker.pools.stats().length === 0) {
    logger.fatal('no runtime is available: build the images with `npm run images`');
    await worker.close();
    process.exit(1);
  }
  const ready = worker;
  onStop(logger, config, async () => ready.close());
  logger.info(
    `CodeRunner worker is ready (${ready.pools
      .stats()
      .map((p) => p.language)
      .join(', ')}; ${config.SANDBOX_RUNTIME})`,
  );
}

/** The API process of the distributed mode (CODERUNNER_ROLE=api): HTTP only; runs execute on workers. */
async function runApi(config: Config, logger: Logger): Promise<void> {
  let api;
  try {
    api = await createApiServer({ config, logger });
  } catch (err) {
    logger.fatal(`CodeRunner API cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  const { app, runs } = api;
  onStop(logger, config, async () => {
    runs.beginShutdown();
    const deadline = Date.now() + config.SHUTDOWN_GRACE_MS;
    while (runs.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await app.close();
  });
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info(
    `CodeRunner API is ready on http://${config.HOST}:${config.PORT} (runs go to workers on Redis)`,
  );
}

/** SIGTERM and SIGINT: `stop` once, bounded by the grace period, then exit. */
function onStop(logger: Logger, config: Config, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: finishing in-flight runs, then stopping`);
    const force = setTimeout(() => {
      logger.error('shutdown grace period over; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS + 10000);
    force.unref();
    void stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error(`could not stop cleanly: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

void main();
