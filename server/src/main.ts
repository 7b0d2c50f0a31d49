/**
 * The entry point: the only place that reads process.env, wires the real Docker engine and listens.
 */
import Docker from 'dockerode';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createServer } from './create-server.js';
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
  let server;
  try {
    server = await createServer({
      config,
      docker,
      logger,
      onAgentLog: (container, line) => logger.debug({ container }, `agent: ${line}`),
    });
  } catch (err) {
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

void main();
