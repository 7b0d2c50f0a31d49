import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import { installErrorHandler } from './errors/error-handler.js';
import { registerAccessControl } from './http/access-control.js';
import { registerHealthRoutes } from './http/health-routes.js';
import { registerRunsRoutes } from './http/runs-routes.js';
import { registerRunsWebSocket } from './http/runs-ws.js';
import { registerRuntimesRoutes } from './http/runtimes-routes.js';
import type { RunService } from './runs/run-service.js';
import type { RuntimeRegistry } from './runtimes/runtime-registry.js';
import type { SandboxPools } from './sandbox/sandbox-pools.js';
import type { SandboxDriver } from './sandbox/sandbox.js';

export interface AppDeps {
  config: Config;
  logger: FastifyBaseLogger;
  runs: RunService;
  registry: RuntimeRegistry;
  pools: SandboxPools;
  driver: SandboxDriver;
  /** Built web client to serve at /, if any. */
  clientDir?: string;
}

/**
 * Builds the Fastify app from injected parts; never listens. Closing the app closes the pools and removes
 * every container this instance created.
 *
 * @example
 *   const app = await buildApp({ config, logger: pino({ level: 'silent' }), runs, registry, pools, driver });
 *   const res = await app.inject({ method: 'GET', url: '/healthz' });
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const bodyLimit = deps.config.RUN_MAX_BODY_KB * 1024;
  // Closing drops every connection: main.ts first waits for in-flight runs, so only idle or stuck clients remain.
  const app = Fastify({ loggerInstance: deps.logger, bodyLimit, forceCloseConnections: true });
  // JSON only: without this Fastify would parse text/plain bodies into strings instead of answering 415.
  app.removeContentTypeParser('text/plain');
  installErrorHandler(app, bodyLimit);
  await registerAccessControl(app, {
    apiKeys: deps.config.apiKeys,
    ratePerMinute: deps.config.RATE_LIMIT_PER_MINUTE,
    corsOrigins: deps.config.corsOrigins,
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: 8 * 1024 * 1024 } });
  registerRunsRoutes(app, deps.runs);
  registerRunsWebSocket(app, deps.runs);
  registerRuntimesRoutes(app, deps.registry);
  registerHealthRoutes(app, { driver: deps.driver, pools: deps.pools, runs: deps.runs });
  if (deps.clientDir && existsSync(deps.clientDir)) {
    await app.register(fastifyStatic, { root: deps.clientDir, index: 'index.html' });
  }
  app.addHook('onClose', async () => {
    deps.runs.beginShutdown();
    await deps.pools.close();
    await deps.driver.removeOwned();
  });
  return app;
}
