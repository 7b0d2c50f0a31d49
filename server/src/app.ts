import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { registerJobeRoutes } from './compat/jobe/jobe-routes.js';
import type { Config } from './config/config.js';
import { installErrorHandler } from './errors/error-handler.js';
import { registerPistonRoutes } from './compat/piston/piston-routes.js';
import { createError } from './errors/errors.js';
import { refuseUpgrade, registerAccessControl, registerProtected } from './http/access-control.js';
import { registerJudge0Routes } from './compat/judge0/judge0-routes.js';
import { registerHealthRoutes, type HealthSources } from './http/health-routes.js';
import { logRedaction } from './http/request-log.js';
import { registerBatchesRoutes } from './http/batches-routes.js';
import { registerRunsRoutes } from './http/runs-routes.js';
import { registerRunsWebSocket } from './http/runs-ws.js';
import { registerRuntimesRoutes } from './http/runtimes-routes.js';
import { registerWsTicketRoutes } from './http/ws-ticket-routes.js';
import { MemoryWsTicketStore, WsTickets, type WsTicketStore } from './http/ws-tickets.js';
import { registerMetricsRoute } from './http/metrics-routes.js';
import { registerDocsUi, registerOpenApi } from './http/openapi.js';
import type { Metrics } from './observability/metrics.js';
import type { RunStore } from './store/run-store.js';
import type { RunService } from './runs/run-service.js';
import type { RuntimeRegistry } from './runtimes/runtime-registry.js';
import type { SandboxPools } from './sandbox/sandbox-pools.js';
import type { PoolStats } from './sandbox/warm-pool.js';
import type { SandboxDriver } from './sandbox/sandbox.js';

export interface AppDeps {
  config: Config;
  logger: FastifyBaseLogger;
  runs: RunService;
  /** The runtimes this app can run: its own, or the live workers' (distributed mode). */
  registry: Pick<RuntimeRegistry, 'resolve' | 'list'>;
  /** This process's warm pools and engine; absent on an API-only process, whose runs execute on workers. */
  pools?: SandboxPools;
  driver?: SandboxDriver;
  /** The distributed mode's queue, for /healthz and the metrics: Redis and the live workers. */
  remote?: HealthSources['queue'] & { pools(): PoolStats[] };
  /** Called last when the app closes (the distributed mode's connections). */
  onClose?: () => Promise<void>;
  /** Built web client to serve at /, if any. */
  clientDir?: string;
  /** Where WebSocket tickets wait to be redeemed; in memory unless given (several instances need a shared one). */
  ticketStore?: WsTicketStore;
  /** Served at GET /metrics, behind the same access control as the API. */
  metrics?: Metrics;
  /** The run store: pruned on a timer, closed with the app. */
  store?: RunStore;
}

/** Room for a run message's envelope (`{"type":"run","request":…,"stdinOpen":…}`) around a request body. */
const WS_ENVELOPE_BYTES = 1024;

/** A path the router cannot decode (`%zz`, broken UTF-8) names no route: 404 JSON, like any other miss. */
function answerBadUrl(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (err.code !== 'FST_ERR_BAD_URL') {
    void reply.send(err);
    return;
  }
  const notFound = createError(
    'CR_ERR_HTTP_NOT_FOUND',
    `${request.method} ${request.url.split('?')[0] ?? ''}`,
  );
  // No hook has run, so nothing else would answer an upgrade's socket.
  if (request.headers.upgrade?.toLowerCase() === 'websocket') refuseUpgrade(request, reply, notFound);
  else void reply.code(404).send({ code: notFound.code, message: notFound.message });
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
  const app = Fastify({
    // Whatever logger is given, request logs carry no key, ticket or other secret (http/request-log.ts).
    loggerInstance: deps.logger.child({}, logRedaction),
    bodyLimit,
    forceCloseConnections: true,
    trustProxy: deps.config.TRUST_PROXY,
    frameworkErrors: answerBadUrl,
  });
  // JSON only: without this Fastify would parse text/plain bodies into strings instead of answering 415.
  app.removeContentTypeParser('text/plain');
  installErrorHandler(app, bodyLimit);
  // A run message carries a request body, so a frame may be as large as a POST body and its envelope.
  const wsMaxPayload = bodyLimit + WS_ENVELOPE_BYTES;
  await app.register(fastifyWebsocket, { options: { maxPayload: wsMaxPayload } });
  // Before any route, so its onRoute hook sees them all (the protected scope's included).
  await registerOpenApi(app, { maximums: deps.config, keysRequired: deps.config.apiKeys.length > 0 });
  await registerAccessControl(app, { corsOrigins: deps.config.corsOrigins });
  const tickets = new WsTickets(deps.ticketStore ?? new MemoryWsTicketStore(), deps.config.WS_TICKET_TTL_MS);
  // Every route under /api (and later /jobe, /restapi, /judge0) goes here: the scope's hooks authenticate and
  // rate-limit whatever URL spelling the router matched; a route under those prefixes outside it stops start-up.
  const access = {
    apiKeys: deps.config.apiKeys,
    ratePerMinute: deps.config.RATE_LIMIT_PER_MINUTE,
    tickets,
  };
  await registerProtected(app, access, (scope) => {
    registerDocsUi(scope);
    registerRunsRoutes(scope, deps.runs);
    registerBatchesRoutes(scope, deps.runs, { maxRuns: deps.config.RUN_BATCH_MAX });
    registerRunsWebSocket(scope, deps.runs, {
      maxMessageBytes: wsMaxPayload,
      maxEarlyMessages: deps.config.WS_MAX_EARLY_MESSAGES,
      maxEarlyBytes: deps.config.WS_MAX_EARLY_KB * 1024,
    });
    registerRuntimesRoutes(scope, deps.registry);
    registerWsTicketRoutes(scope, tickets);
    registerPistonRoutes(scope, { runs: deps.runs, registry: deps.registry, config: deps.config });
    registerJobeRoutes(scope, { runs: deps.runs, registry: deps.registry, config: deps.config });
    registerJudge0Routes(scope, deps);
    // Inside the protected scope: with API keys set, a scraper needs one too; never open by accident.
    if (deps.metrics) registerMetricsRoute(scope, deps.metrics);
  });
  const remote = deps.remote;
  registerHealthRoutes(app, {
    ...(deps.driver ? { driver: deps.driver } : {}),
    ...(remote ? { queue: remote } : {}),
    pools: () => (remote ? remote.pools() : (deps.pools?.stats() ?? [])),
    runs: deps.runs,
  });
  if (deps.clientDir && existsSync(deps.clientDir)) {
    await app.register(fastifyStatic, {
      root: deps.clientDir,
      index: 'index.html',
      // `..` segments (also as %2e%2e) and NUL bytes name no file of the client: 404 like any unknown path,
      // rather than send's bare 403 or 400.
      allowedPath: (pathname) => !pathname.includes('\0') && !pathname.split('/').includes('..'),
    });
  }
  // Retention: at start-up, then every ten minutes.
  const store = deps.store;
  const prune = () =>
    void store
      ?.prune({
        maxAgeMs: deps.config.RUN_STORE_MAX_AGE_HOURS * 3600 * 1000,
        maxRuns: deps.config.RUN_STORE_MAX_RUNS,
      })
      .catch((err: unknown) => app.log.warn({ err: String(err) }, 'could not prune the run store'));
  prune();
  const pruning = store ? setInterval(prune, 10 * 60 * 1000) : null;
  pruning?.unref();
  app.addHook('onClose', async () => {
    if (pruning) clearInterval(pruning);
    deps.runs.beginShutdown();
    await deps.pools?.close();
    await deps.driver?.removeOwned();
    await store?.close();
    await deps.onClose?.();
  });
  return app;
}
