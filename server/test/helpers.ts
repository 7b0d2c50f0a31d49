import Docker from 'dockerode';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../src/config/config.js';
import { createServer, type CodeRunnerServer, type ServerOptions } from '../src/create-server.js';
import { CONTAINER_LABELS } from '../src/sandbox/docker-sandbox-driver.js';

/** The engine the tests use: TEST_DOCKER_SOCKET (e.g. a second, differently configured dockerd), else the usual one. */
export const docker = new Docker({ socketPath: process.env.TEST_DOCKER_SOCKET ?? '/var/run/docker.sock' });

/**
 * A real server on the real Docker engine, with small pools, waiting until they are warm. Pools keep their
 * size whether used or not unless the test sets POOL_IDLE_SIZE itself.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: Pick<ServerOptions, 'onAgentLog'> = {},
): Promise<CodeRunnerServer> {
  const poolSize = env.POOL_SIZE ?? '2';
  const config = loadConfig({
    LANGUAGES: 'python,javascript',
    POOL_SIZE: poolSize,
    POOL_IDLE_SIZE: poolSize,
    SERVE_CLIENT: 'false',
    LOG_LEVEL: 'silent',
    // The same suites run under gVisor with SANDBOX_RUNTIME=runsc.
    SANDBOX_RUNTIME: process.env.SANDBOX_RUNTIME ?? 'runc',
    // Each test server records its runs in memory (test/run-store.test.ts covers the file).
    RUN_STORE: 'memory',
    ...env,
  });
  const server = await createServer({ config, docker, logger: pino({ level: 'silent' }), ...options });
  const record = { server, closed: false };
  started.push(record);
  server.app.addHook('onClose', async () => {
    record.closed = true;
  });
  await server.pools.whenFull(60000);
  return server;
}

const started: Array<{ server: CodeRunnerServer; closed: boolean }> = [];

/**
 * What the servers started by this test file left behind: servers never closed (closed now) and containers
 * still present after close. Empty when all is well; test/leak-check.ts asserts that after every file.
 */
export async function collectLeaks(): Promise<string[]> {
  const leaks: string[] = [];
  for (const record of started.splice(0)) {
    const id = record.server.driver.instanceId;
    if (!record.closed) {
      leaks.push(`server ${id} was never closed`);
      await record.server.app.close();
    }
    const left = await containersOf(id);
    if (left.length > 0) {
      leaks.push(`server ${id} left ${left.length} container(s)`);
      await Promise.allSettled(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    }
  }
  return leaks;
}

/** POSTs a run request through the app's HTTP layer. */
export function postRun(app: FastifyInstance, body: unknown): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/v1/runs', payload: body as object });
}

/** Containers carrying this server instance's label, in any state. */
export async function containersOf(instanceId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: { label: [`${CONTAINER_LABELS.instance}=${instanceId}`] },
  });
}

/** A one-file run request. */
export function single(language: string, name: string, content: string, extra: Record<string, unknown> = {}) {
  return { language, files: [{ name, content }], ...extra };
}

/** Polls `check` every `everyMs` until it holds or `timeoutMs` passes; true when it held (bounded in time). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}

/** Polls until a run of hello world succeeds again (an engine back after a fault); true when it did in time. */
export function runsRecover(app: FastifyInstance, body: unknown, timeoutMs = 60000): Promise<boolean> {
  return waitFor(async () => {
    const res = await postRun(app, body);
    return res.statusCode === 200 && res.json<{ status: string }>().status === 'ok';
  }, timeoutMs);
}
