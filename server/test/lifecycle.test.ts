import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { RunService } from '../src/runs/run-service.js';
import { RuntimeRegistry } from '../src/runtimes/runtime-registry.js';
import { CONTAINER_LABELS } from '../src/sandbox/container-config.js';
import { DockerSandboxDriver } from '../src/sandbox/docker-sandbox-driver.js';
import { SandboxPools } from '../src/sandbox/sandbox-pools.js';
import { containersOf, postRun, single, startTestServer } from './helpers.js';

const sleepy = single(
  'python',
  'main.py',
  'import time\nprint("up", flush=True)\ntime.sleep(1.5)\nprint("done")',
);

describe('server lifecycle', () => {
  it('answers 429 with Retry-After when the run queue is full, never hangs', async () => {
    const server = await startTestServer({
      LANGUAGES: 'python',
      POOL_SIZE: '1',
      RUN_MAX_CONCURRENT: '1',
      RUN_MAX_QUEUED: '0',
    });
    try {
      const first = postRun(server.app, sleepy);
      await new Promise((r) => setTimeout(r, 300));
      const second = await postRun(server.app, single('python', 'main.py', 'print(2)'));
      expect(second.statusCode).toBe(429);
      expect(second.headers['retry-after']).toBe('1');
      expect(second.json().code).toBe('CR_ERR_RUN_QUEUE_FULL');
      const done = await first;
      expect(done.json().run.stdout).toBe('up\ndone\n');
    } finally {
      await server.app.close();
    }
  });

  it('refuses a RUN_PRESTART list naming a language without a prestart, or no language at all', async () => {
    // C compiles with gcc and declares no prestart; "pyton" is a typo. Neither may quietly mean plain starts.
    const error = await startTestServer({ LANGUAGES: 'python,c', RUN_PRESTART: 'python,c,pyton' }).then(
      async (server) => {
        await server.app.close();
        return null;
      },
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'RUN_PRESTART names c, whose runtime.json declares no prestart',
      expect.stringMatching(/^RUN_PRESTART names pyton, which is not a language under \/.*runtimes$/),
    ]);
  });

  it('finishes in-flight runs on shutdown, refuses new ones with 503 and removes its containers', async () => {
    const server = await startTestServer({ LANGUAGES: 'python', POOL_SIZE: '2' });
    const id = server.driver.instanceId;
    const inFlight = postRun(server.app, sleepy);
    await new Promise((r) => setTimeout(r, 300));
    server.runs.beginShutdown();
    const refused = await postRun(server.app, single('python', 'main.py', 'print(1)'));
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe('CR_ERR_SERVER_SHUTTING_DOWN');
    expect((await inFlight).json().status).toBe('ok');
    await server.app.close();
    expect(await containersOf(id)).toEqual([]);
  });

  it('reports a dead engine: /healthz 503 and runs 503 at once, without hanging', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const driver = new DockerSandboxDriver({
      docker: new Docker({ socketPath: '/nonexistent/docker.sock' }),
      instanceId: 'dead-engine-test',
      runtime: 'runc',
      cpus: 1,
      workdirMb: 16,
      tmpMb: 16,
      readyTimeoutMs: 2000,
      engineTimeoutMs: 10000,
    });
    const manifest = {
      language: 'python',
      displayName: 'Python',
      aliases: [],
      extensions: ['py'],
      versionCommand: ['python3', '--version'],
      compile: null,
      run: ['python3', '{entry}'],
      env: {},
      limits: {},
      compileLimits: {},
      prestart: null,
      libraries: {},
    };
    const registry = new RuntimeRegistry([
      {
        language: 'python',
        displayName: 'Python',
        version: '3',
        aliases: [],
        extensions: ['py'],
        image: 'coderunner/python:latest',
        manifest,
      },
    ]);
    const logger = pino({ level: 'silent' });
    const pools = new SandboxPools({
      driver,
      specs: [{ language: 'python', image: 'coderunner/python:latest', memoryMb: 64, pids: 16 }],
      sizeFor: () => ({ idle: 1, busy: 1 }),
      idleAfterMs: 60000,
      maxConcurrentCreates: 1,
      logger,
    });
    const runs = new RunService({ config, registry, pools, logger });
    const app = await buildApp({ config, logger, runs, registry, pools, driver });
    pools.start();
    try {
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(503);
      expect(health.json().status).toBe('unavailable');
      const started = Date.now();
      const res = await postRun(app, single('python', 'main.py', 'print(1)'));
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('CR_ERR_SANDBOX_UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('5');
      // A dead engine refuses at once; even a slow refusal is within one engine deadline.
      expect(Date.now() - started).toBeLessThan(config.SANDBOX_ENGINE_TIMEOUT_MS);
    } finally {
      await app.close().catch(() => undefined);
    }
  });

  it('removes the containers of a crashed server on the next start', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/crashing-server.ts', import.meta.url));
    // `node --import tsx`, not the tsx binary: that one runs the script in a second process SIGKILL would miss.
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    const instanceId = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('crashing server did not start')), 60000);
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('\n')) {
          clearTimeout(timer);
          resolve(output.trim());
        }
      });
      child.on('exit', () => reject(new Error('crashing server exited early')));
    });
    child.kill('SIGKILL');
    await once(child, 'exit');
    const orphans = await containersOf(instanceId);
    expect(orphans.length).toBe(2);

    const server = await startTestServer({ LANGUAGES: 'python', POOL_SIZE: '1' });
    try {
      expect(server.orphansRemoved).toBeGreaterThanOrEqual(2);
      expect(await containersOf(instanceId)).toEqual([]);
    } finally {
      await server.app.close();
    }
  });
});

describe('orphans of workers that ran in containers (compose)', () => {
  it("removes containers whose owner was a container the engine no longer runs, keeps a running one's", async () => {
    const docker = new Docker({ socketPath: '/var/run/docker.sock' });
    const server = await startTestServer({ LANGUAGES: 'python', POOL_SIZE: '1' });
    // A worker in a container is named by its container's short id; one of the pool's is running now.
    const [live] = await containersOf(server.driver.instanceId);
    const make = (owner: string) =>
      docker.createContainer({
        Image: 'coderunner/python',
        Labels: {
          [CONTAINER_LABELS.managed]: 'true',
          [CONTAINER_LABELS.instance]: `orphan-test-${owner}`,
          [CONTAINER_LABELS.owner]: owner,
        },
      });
    const gone = await make('0123456789ab:7');
    const kept = await make(`${live!.Id.slice(0, 12)}:7`);
    try {
      await server.driver.removeOrphans();
      await expect(gone.inspect()).rejects.toThrow();
      expect((await kept.inspect()).Id).toBe(kept.id);
    } finally {
      await kept.remove({ force: true }).catch(() => undefined);
      await gone.remove({ force: true }).catch(() => undefined);
      await server.app.close();
    }
  });
});

describe('adaptive pool sizes', () => {
  it('keeps an unused language at its idle size, grows it when used, and shrinks it back when idle', async () => {
    const server = await startTestServer({
      LANGUAGES: 'python',
      POOL_SIZE: '2',
      POOL_IDLE_SIZE: '0',
      POOL_IDLE_AFTER_MS: '1500',
    });
    const id = server.driver.instanceId;
    try {
      expect(server.pools.stats()[0]).toMatchObject({ target: 0, ready: 0, idleSize: 0, busySize: 2 });
      expect(await containersOf(id)).toEqual([]);
      // A cold language still runs: the first request creates its container on demand.
      const first = await postRun(server.app, single('python', 'main.py', 'print("cold")'));
      expect(first.json().run.stdout).toBe('cold\n');
      expect(server.pools.stats()[0]?.target).toBe(2);
      await server.pools.whenFull(30000);
      expect(server.pools.stats()[0]?.ready).toBe(2);
      // Unused for longer than POOL_IDLE_AFTER_MS: back to 0, containers removed (bounded wait).
      let running = (await containersOf(id)).length;
      for (let i = 0; i < 100 && (server.pools.stats()[0]?.target !== 0 || running > 0); i++) {
        await new Promise((r) => setTimeout(r, 100));
        running = (await containersOf(id)).length;
      }
      expect(server.pools.stats()[0]).toMatchObject({ target: 0, ready: 0 });
      expect(running).toBe(0);
    } finally {
      await server.app.close();
    }
  });
});
