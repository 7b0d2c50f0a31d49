// docker-compose.yml, for real: the resolved configuration, then the whole stack (Redis, the API, two workers)
// built and started on this host's engine, a Python run through it, and `down` leaving nothing behind.
//
// How long: the configuration checks take about 2 s; the stack about 45 s when the images are cached (after a
// source change the server image rebuilds in about 30 s), up to about 5.5 minutes from an empty layer cache on a
// 2-core machine (the server image build runs `npm ci` twice, compiling better-sqlite3 each time), and about
// 4 minutes after a lockfile change. The test keeps its images (tagged `:compose-test`: they are the build cache)
// and removes only containers, networks and volumes. Bounded at TOTAL_BOUND_MS overall (28 minutes).
//
// Needs: docker-compose (Debian's 1.29) or the compose v2 plugin, the local base image and the python runtime
// image (`npm run bootstrap`), and the npm registry reachable from the build (`--network host`).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');

const BUILD_TIMEOUT_MS = 20 * 60_000;
const UP_TIMEOUT_MS = 3 * 60_000;
const HEALTHY_TIMEOUT_MS = 2 * 60_000;
const DOWN_TIMEOUT_MS = 2 * 60_000;
/** The most this file may take: build, up, healthy, the runs, down. */
const TOTAL_BOUND_MS = BUILD_TIMEOUT_MS + UP_TIMEOUT_MS + HEALTHY_TIMEOUT_MS + DOWN_TIMEOUT_MS + 60_000;

const WORKERS = 2;
const PROJECT = `coderunner-test-${Math.random().toString(36).slice(2, 10)}`;
const API_KEY = `compose-test-${Math.random().toString(36).slice(2)}`;
const started = Date.now();

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<Exec> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      file,
      args,
      {
        cwd: REPO_ROOT,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 60_000,
        killSignal: 'SIGKILL',
        maxBuffer: 256 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolvePromise({ code, stdout, stderr: err && code === -1 ? `${stderr}\n${err.message}` : stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** The last lines of a command's output, for a failure message. */
function tail(result: Exec, lines = 40): string {
  return `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-lines).join('\n');
}

/** `docker compose` when the v2 plugin is there, else Debian's `docker-compose`; null when neither is. */
async function findCompose(): Promise<{ file: string; prefix: string[]; v2: boolean } | null> {
  if ((await exec('docker', ['compose', 'version'])).code === 0)
    return { file: 'docker', prefix: ['compose'], v2: true };
  if ((await exec('docker-compose', ['version'])).code === 0)
    return { file: 'docker-compose', prefix: [], v2: false };
  return null;
}

/** A TCP port free on loopback right now. */
function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePromise(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * CA certificates added on this host (a TLS-intercepting proxy's), for the build's npm: EXTRA_CA_CERTS if set,
 * else what /usr/local/share/ca-certificates holds. Empty on an ordinary host.
 */
function extraCaCerts(): string {
  if (process.env.EXTRA_CA_CERTS) return process.env.EXTRA_CA_CERTS;
  const dir = '/usr/local/share/ca-certificates';
  if (!existsSync(dir)) return '';
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.crt'))
    .sort()
    .map((name) => readFileSync(join(dir, name), 'utf8').trim())
    .join('\n');
}

const compose = await findCompose();
// Every call reads this empty file instead of a developer's .env, so the test sees the defaults it documents.
const scratch = mkdtempSync(join(tmpdir(), 'coderunner-compose-'));
const EMPTY_ENV_FILE = join(scratch, 'empty.env');
writeFileSync(EMPTY_ENV_FILE, '');
const DOCKER_GID = String(statSync('/var/run/docker.sock', { throwIfNoEntry: false })?.gid ?? 0);

/** Every variable docker-compose.yml interpolates (`${NAME...}`). */
const FILE_VARIABLES = [...readFileSync(COMPOSE_FILE, 'utf8').matchAll(/\$\{([A-Z0-9_]+)/g)].map(
  (m) => m[1]!,
);

/** The environment compose interpolates the file with: the process's, less every variable the file reads, plus `extra`. */
function composeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of FILE_VARIABLES) delete env[key];
  return { ...env, DOCKER_GID, ...extra };
}

function runCompose(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  if (!compose)
    throw new Error('neither `docker compose` nor `docker-compose` found: apt-get install docker-compose');
  return exec(
    compose.file,
    [...compose.prefix, '--env-file', EMPTY_ENV_FILE, '-f', COMPOSE_FILE, '-p', PROJECT, ...args],
    { env: options.env ?? composeEnv(), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) },
  );
}

/** The parts of `compose config`'s output the tests read (v1 and v2 spell mounts and ports differently). */
interface ComposeService {
  environment: Record<string, string>;
  volumes?: unknown[];
  ports?: unknown[];
  group_add?: unknown[];
}
interface ComposeConfig {
  services: Record<'redis' | 'api' | 'worker', ComposeService>;
}

/** The parts of `GET /healthz` the tests read. */
interface Health {
  status: string;
  redis?: { ok: boolean };
  workers?: unknown[];
  pools: Array<{ language: string }>;
}

/** `compose config` as an object: v2 prints JSON when asked; v1's YAML is read with its own Python's PyYAML. */
async function resolvedConfig(env: NodeJS.ProcessEnv): Promise<ComposeConfig> {
  const result = await runCompose(compose?.v2 ? ['config', '--format', 'json'] : ['config'], { env });
  expect(result.code, tail(result)).toBe(0);
  if (compose?.v2) return JSON.parse(result.stdout);
  const json = await exec(
    'python3',
    ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: result.stdout },
  );
  expect(json.code, tail(json)).toBe(0);
  return JSON.parse(json.stdout);
}

/** A service's mounts as { source, target }, from v1's "src:dst:mode" strings or v2's objects. */
function mounts(service: ComposeService): Array<{ source: string; target: string }> {
  return (service.volumes ?? []).map((v) => {
    if (typeof v === 'string') {
      const [source = '', target = ''] = v.split(':');
      return { source, target };
    }
    const { source, target } = v as { source?: string; target: string };
    return { source: source ?? '', target };
  });
}

/** A service's published ports as { hostIp, published, target }, from v1's strings or v2's objects. */
function ports(service: ComposeService): Array<{ hostIp: string; published: string; target: string }> {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'string') {
      const parts = p.replace(/\/tcp$/, '').split(':');
      const target = parts.pop() ?? '';
      const published = parts.pop() ?? '';
      return { hostIp: parts.join(':'), published, target };
    }
    const o = p as { host_ip?: string; published?: string | number; target: string | number };
    return { hostIp: o.host_ip ?? '', published: String(o.published ?? ''), target: String(o.target) };
  });
}

const SOCKET = '/var/run/docker.sock';

describe('docker-compose.yml: configuration', () => {
  it('resolves to redis, api and worker; only the worker mounts the Docker socket; redis publishes nothing', async () => {
    const config = await resolvedConfig(composeEnv());
    const { redis, api, worker } = config.services;
    expect(Object.keys(config.services).sort()).toEqual(['api', 'redis', 'worker']);

    expect(mounts(worker)).toContainEqual({ source: SOCKET, target: SOCKET });
    expect(worker.environment.CODERUNNER_ROLE).toBe('worker');
    expect(worker.environment.DOCKER_SOCKET).toBe(SOCKET);
    expect(worker.environment.SANDBOX_RUNTIME).toBe('runc');
    expect((worker.group_add as unknown[]).map(String)).toEqual([DOCKER_GID]);
    expect(worker.ports ?? []).toEqual([]);

    for (const service of [api, redis]) {
      expect(mounts(service).map((m) => m.target)).not.toContain(SOCKET);
      expect(mounts(service).map((m) => m.source)).not.toContain(SOCKET);
    }
    expect(api.environment.CODERUNNER_ROLE).toBe('api');
    expect(api.environment.REDIS_URL).toBe(worker.environment.REDIS_URL);
    expect(ports(api)).toEqual([{ hostIp: '127.0.0.1', published: '8080', target: '8080' }]);

    expect(redis.ports ?? []).toEqual([]);
    expect(mounts(redis).map((m) => m.target)).toEqual(['/data']);
    // API and workers share the state volume (the SQLite run store must be one file).
    expect(mounts(api).find((m) => m.target === '/var/lib/coderunner')?.source).toBe('state');
    expect(mounts(worker).find((m) => m.target === '/var/lib/coderunner')?.source).toBe('state');
  });

  it('takes its settings from the environment (.env) and refuses to start workers without DOCKER_GID', async () => {
    const config = await resolvedConfig(
      composeEnv({ CODERUNNER_BIND: '0.0.0.0', CODERUNNER_PORT: '9090', SANDBOX_RUNTIME: 'runsc' }),
    );
    expect(ports(config.services.api)).toEqual([{ hostIp: '0.0.0.0', published: '9090', target: '8080' }]);
    expect(config.services.worker.environment.SANDBOX_RUNTIME).toBe('runsc');

    const env = composeEnv();
    delete env.DOCKER_GID;
    const result = await runCompose(['config'], { env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('DOCKER_GID');
  });
});

describe('docker-compose.yml: the stack on this engine', () => {
  let port = 0;
  let baseUrl = '';
  let env: NodeJS.ProcessEnv = composeEnv();
  /** The worker containers' ids: sandbox containers carry `<hostname>:<pid>` of their worker (its short id). */
  let workerIds: string[] = [];

  beforeAll(
    async () => {
      const images = await exec('docker', [
        'image',
        'inspect',
        'coderunner/python:latest',
        'coderunner/base:trixie',
      ]);
      expect(images.code, 'the python runtime and base images are missing: run `npm run bootstrap`').toBe(0);
      port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;
      env = composeEnv({
        CODERUNNER_TAG: 'compose-test',
        CODERUNNER_PORT: String(port),
        LANGUAGES: 'python',
        POOL_SIZE: '1',
        POOL_IDLE_SIZE: '1',
        API_KEYS: API_KEY,
        SANDBOX_RUNTIME: process.env.SANDBOX_RUNTIME ?? 'runc',
        EXTRA_CA_CERTS: extraCaCerts(),
      });
      // One build of the server image serves api and worker (same image name), so build api, not worker.
      const build = await runCompose(['build', 'redis', 'api'], { env, timeoutMs: BUILD_TIMEOUT_MS });
      expect(build.code, `compose build failed:\n${tail(build, 60)}`).toBe(0);
      const up = await runCompose(['up', '-d', '--no-build', '--scale', `worker=${WORKERS}`], {
        env,
        timeoutMs: UP_TIMEOUT_MS,
      });
      expect(up.code, `compose up failed:\n${tail(up)}`).toBe(0);
      const ps = await exec('docker', [
        'ps',
        '-q',
        '--no-trunc',
        '--filter',
        `label=com.docker.compose.project=${PROJECT}`,
        '--filter',
        'label=com.docker.compose.service=worker',
      ]);
      workerIds = ps.stdout.split('\n').filter(Boolean);
      expect(workerIds).toHaveLength(WORKERS);
    },
    BUILD_TIMEOUT_MS + UP_TIMEOUT_MS + 30_000,
  );

  afterAll(async () => {
    const down = await runCompose(['down', '-v', '--remove-orphans', '--timeout', '60'], {
      env,
      timeoutMs: DOWN_TIMEOUT_MS,
    });
    rmSync(scratch, { recursive: true, force: true });
    const left: string[] = [];
    for (const kind of ['ps -a', 'network ls', 'volume ls']) {
      const args = [...kind.split(' '), '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`];
      const found = (await exec('docker', args)).stdout.split('\n').filter(Boolean);
      if (found.length > 0) left.push(`${kind}: ${found.join(' ')}`);
    }
    // The workers remove their sandbox containers when stopped (SIGTERM); a leftover would outlive the stack.
    const sandboxes = await exec('docker', [
      'ps',
      '-a',
      '--filter',
      'label=coderunner.managed',
      '--format',
      '{{.ID}} {{.Label "coderunner.owner"}}',
    ]);
    const orphans = sandboxes.stdout
      .split('\n')
      .filter((line) => workerIds.some((id) => line.split(' ')[1]?.startsWith(`${id.slice(0, 12)}:`)))
      .map((line) => line.split(' ')[0]!);
    if (orphans.length > 0) {
      left.push(`sandbox containers of the workers: ${orphans.join(' ')}`);
      await exec('docker', ['rm', '-f', ...orphans]);
    }
    expect(down.code, `compose down failed:\n${tail(down)}`).toBe(0);
    expect(left).toEqual([]);
    expect(Date.now() - started).toBeLessThan(TOTAL_BOUND_MS);
  }, DOWN_TIMEOUT_MS + 30_000);

  const auth = () => ({ authorization: `Bearer ${API_KEY}` });

  it(
    'becomes healthy: Redis answers and every worker has announced itself',
    async () => {
      const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
      let last = 'no answer yet';
      for (;;) {
        try {
          const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(5000) });
          const body = (await res.json()) as Health;
          last = `${res.status} ${JSON.stringify(body)}`;
          if (res.status === 200 && body.workers?.length === WORKERS) {
            expect(body.redis?.ok).toBe(true);
            expect(body.pools.map((p) => p.language)).toContain('python');
            return;
          }
        } catch (err) {
          last = (err as Error).message;
        }
        if (Date.now() > deadline) {
          const logs = await runCompose(['logs', '--tail', '30'], { env });
          throw new Error(`not healthy within ${HEALTHY_TIMEOUT_MS} ms: ${last}\n${tail(logs, 60)}`);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    HEALTHY_TIMEOUT_MS + 10_000,
  );

  it('runs a Python hello world through the API, Redis and a worker', async () => {
    const body = {
      language: 'python',
      files: [{ name: 'main.py', content: 'print(f"Hello, {input()}!")' }],
      stdin: 'compose',
    };
    const refused = await fetch(`${baseUrl}/api/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(refused.status).toBe(401);

    const res = await fetch(`${baseUrl}/api/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const result = (await res.json()) as {
      id: string;
      status: string;
      run: { stdout: string };
    };
    expect(res.status, JSON.stringify(result)).toBe(200);
    expect(result.status).toBe('ok');
    expect(result.run.stdout).toBe('Hello, compose!\n');

    // Recorded in the store the API and the workers share (SQLite on the `state` volume).
    const stored = await fetch(`${baseUrl}/api/v1/runs/${result.id}`, { headers: auth() });
    expect(stored.status).toBe(200);
  }, 60_000);

  it('keeps sandbox containers off every network', async () => {
    const list = await exec('docker', [
      'ps',
      '--filter',
      'label=coderunner.managed',
      '--format',
      '{{.ID}} {{.Label "coderunner.owner"}}',
    ]);
    const ours = list.stdout
      .split('\n')
      .filter((line) => workerIds.some((id) => line.split(' ')[1]?.startsWith(`${id.slice(0, 12)}:`)))
      .map((line) => line.split(' ')[0]!);
    expect(ours.length).toBeGreaterThan(0);
    // A container used by the run before may be gone by now (removed after its run): inspect whatever is left.
    const inspect = await exec('docker', ['inspect', '--format', '{{.HostConfig.NetworkMode}}', ...ours]);
    const modes = inspect.stdout.trim().split('\n').filter(Boolean);
    expect(modes.length).toBeGreaterThan(0);
    expect(new Set(modes)).toEqual(new Set(['none']));
  });

  it('serves the editor from the API image', async () => {
    const res = await fetch(`${baseUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<!doctype html>');
  });
});
