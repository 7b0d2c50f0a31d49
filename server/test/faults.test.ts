// Faults from outside the program: a warm container killed by someone else, a container dying mid-run (the
// agent crashing), the Docker engine restarted during runs, and the server itself told to stop.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureDockerEngine } from '../../scripts/bootstrap/docker-engine.js';
import { createApt } from '../../scripts/bootstrap/util.js';
import { loadConfig } from '../src/config/config.js';
import { containersOf, docker, postRun, runsRecover, single, startTestServer, waitFor } from './helpers.js';

const hello = single('python', 'main.py', 'print("still here")');
/** The engine deadline the test servers run with (the default): every bound below derives from it. */
const ENGINE_TIMEOUT_MS = loadConfig({}).SANDBOX_ENGINE_TIMEOUT_MS;

describe('faults', () => {
  it('replaces a warm container killed from outside, and the next run is unaffected', async () => {
    const server = await startTestServer({ LANGUAGES: 'python', POOL_SIZE: '2' });
    try {
      const [victim] = await containersOf(server.driver.instanceId);
      await docker.getContainer(victim!.Id).kill();
      expect(
        await waitFor(
          async () => !(await containersOf(server.driver.instanceId)).some((c) => c.Id === victim!.Id),
          10000,
        ),
      ).toBe(true);
      await server.pools.whenFull(30000);
      for (let i = 0; i < 3; i++) expect((await postRun(server.app, hello)).json().status).toBe('ok');
    } finally {
      await server.app.close();
    }
  });

  it('ends a run promptly with internal_error when its container dies mid-run, and recovers', async () => {
    const server = await startTestServer({ LANGUAGES: 'python', POOL_SIZE: '1' });
    try {
      const running = postRun(
        server.app,
        single('python', 'main.py', 'import time\nprint("up", flush=True)\ntime.sleep(20)', {
          limits: { timeoutMs: 30000 },
        }),
      );
      // The busy container is the one running the program (its warm replacement runs only the agent).
      let victim: string | undefined;
      await waitFor(async () => {
        for (const c of await containersOf(server.driver.instanceId)) {
          const top = await docker
            .getContainer(c.Id)
            .top()
            .catch(() => ({ Processes: [] as string[][] }));
          if (
            (top.Processes ?? []).some(
              (p: string[]) => p.join(' ').includes('time.sleep') || p.join(' ').includes('python3'),
            )
          )
            victim = c.Id;
        }
        return victim !== undefined;
      }, 10000);
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      await docker.getContainer(victim!).kill();
      const result = (await running).json();
      // The dead agent's stream closes at once: far sooner than the program's 30 s limit.
      expect(Date.now() - started).toBeLessThan(ENGINE_TIMEOUT_MS);
      expect(result.status).toBe('internal_error');
      expect(result.error.code).toMatch(/^sandbox_/);
      expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await postRun(server.app, hello)).json().status).toBe('ok');
    } finally {
      await server.app.close();
    }
  });

  it('survives a restart of the Docker engine: affected runs end with internal_error, the pool recovers', async () => {
    const server = await startTestServer({ LANGUAGES: 'python', POOL_SIZE: '2' });
    try {
      const running = postRun(
        server.app,
        single('python', 'main.py', 'import time\ntime.sleep(20)', { limits: { timeoutMs: 30000 } }),
      );
      await new Promise((r) => setTimeout(r, 500));
      const pid = Number(readFileSync('/var/run/docker.pid', 'utf8'));
      process.kill(pid, 'SIGTERM');
      const started = Date.now();
      const result = (await running).json();
      expect(result.status).toBe('internal_error');
      expect(Date.now() - started).toBeLessThan(ENGINE_TIMEOUT_MS + 5000);
      // While the engine is down: a clear 503, never a hang.
      await waitFor(
        async () => (await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode === 503,
        15000,
      );
      const down = await postRun(server.app, hello);
      expect([503, 200]).toContain(down.statusCode);
      if (down.statusCode === 200) expect(down.json().status).toBe('internal_error');
      await ensureDockerEngine({ apt: createApt(), sandboxRuntime: 'runc' });
      // Back up: the pool refills by itself and runs succeed again (bounded wait).
      expect(await runsRecover(server.app, hello)).toBe(true);
      expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await server.app.close();
    }
  });

  it('on SIGTERM finishes the in-flight run, refuses new ones, removes its containers and exits 0', async () => {
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    const port = 18000 + Math.floor(Math.random() * 2000);
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: {
        ...process.env,
        PORT: String(port),
        LANGUAGES: 'python',
        POOL_SIZE: '1',
        POOL_IDLE_SIZE: '1',
        SERVE_CLIENT: 'false',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    const base = `http://127.0.0.1:${port}`;
    try {
      expect(await waitFor(() => log.includes('CodeRunner is ready'), 60000)).toBe(true);
      const inFlight = fetch(`${base}/api/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(single('python', 'main.py', 'import time\ntime.sleep(1.5)\nprint("finished")')),
      });
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      const refused = await fetch(`${base}/api/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(hello),
      }).then(
        (r) => r.status,
        () => 'connection refused',
      );
      expect([503, 'connection refused']).toContain(refused);
      const done = (await (await inFlight).json()) as { status: string; run: { stdout: string } };
      expect(done.status).toBe('ok');
      expect(done.run.stdout).toBe('finished\n');
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(0);
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`coderunner.owner=${hostname()}:${child.pid}`] },
      });
      expect(left).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
