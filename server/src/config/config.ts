import { isIP } from 'node:net';
import { z } from 'zod';

const int = (description: string, fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback).describe(description);

const bool = (description: string, fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1')
    .describe(description);

/**
 * Every configuration key, read from the environment. Each has a default and a description;
 * docs/configuration.md lists them and config.test.ts keeps the two in step.
 */
export const configSchema = z.object({
  PORT: int('TCP port the HTTP server listens on', 8080, 0, 65535),
  HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('Address to listen on; 0.0.0.0 to accept remote clients'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Log level (pino)'),
  DOCKER_SOCKET: z
    .string()
    .min(1)
    .default('/var/run/docker.sock')
    .describe('Path of the Docker engine socket'),
  SANDBOX_RUNTIME: z
    .enum(['runc', 'runsc'])
    .default('runc')
    .describe('OCI runtime for sandboxes: runc, or runsc for gVisor'),
  LANGUAGES: z
    .string()
    .default('')
    .describe('Comma-separated languages to enable; empty enables every runtime under runtimes/'),
  RUNTIMES_DIR: z
    .string()
    .default('')
    .describe("Folder holding runtimes/<language>/runtime.json; empty: the repository's"),
  CLIENT_DIR: z
    .string()
    .default('')
    .describe('Folder of the built web client served at /; empty: client/dist'),
  POOL_SIZE: int('Warm containers kept ready per language while it is in use', 3, 0, 64),
  POOL_IDLE_SIZE: int('Warm containers kept for a language not used lately (or never)', 1, 0, 64),
  POOL_IDLE_AFTER_MS: int('A language unused this long shrinks to POOL_IDLE_SIZE', 600000, 100, 86400000),
  POOL_SIZES: z
    .string()
    .default('')
    .describe('Fixed per-language pool sizes overriding both, e.g. "python=5,javascript=1"'),
  POOL_MAX_CONCURRENT_CREATES: int(
    'Containers created at once across all pools (container churn is CPU-bound)',
    2,
    1,
    32,
  ),
  SANDBOX_READY_TIMEOUT_MS: int(
    'How long a new container may take to report ready before it is discarded',
    15000,
    1000,
    120000,
  ),
  SANDBOX_ENGINE_TIMEOUT_MS: int(
    "Longest one container-engine call (create, attach, start, update, remove, ping) or the agent's first answer may take; past it the run gets 503",
    10000,
    500,
    120000,
  ),
  RUN_ACQUIRE_TIMEOUT_MS: int(
    'Longest a run waits for a container once it leaves the queue (creating one on demand included); past it 503',
    10000,
    500,
    300000,
  ),
  RUN_QUEUE_TIMEOUT_MS: int('Longest a run waits in the queue for a slot; past it 503', 30000, 100, 600000),
  WS_MAX_EARLY_MESSAGES: int(
    'Messages a WebSocket client may send before its run starts; more closes the socket with 4413',
    256,
    1,
    100000,
  ),
  WS_MAX_EARLY_KB: int(
    'KiB of messages a WebSocket client may send before its run starts; more closes the socket with 4413',
    1024,
    1,
    1048576,
  ),
  SANDBOX_CPUS: z.coerce
    .number()
    .min(0.1)
    .max(64)
    .default(1)
    .describe('CPU quota of each container, in CPUs'),
  SANDBOX_PIDS: int('Process/thread limit of each container unless the runtime sets its own', 64, 8, 4096),
  SANDBOX_WORKDIR_MB: int(
    'Size of the tmpfs work dir (/work) of each container; counts against its memory',
    256,
    1,
    4096,
  ),
  SANDBOX_TMP_MB: int('Size of the tmpfs /tmp of each container; counts against its memory', 256, 1, 4096),
  RUN_MAX_CONCURRENT: int('Runs executing at once; more wait in the queue', 8, 1, 256),
  RUN_MAX_QUEUED: int('Runs waiting for a slot before new ones get 429', 64, 0, 10000),
  RUN_DEFAULT_TIMEOUT_MS: int('Wall-clock limit of a run when the request sets none', 5000, 100, 600000),
  RUN_MAX_TIMEOUT_MS: int('Largest wall-clock limit a request may ask for', 30000, 100, 600000),
  RUN_DEFAULT_MEMORY_MB: int(
    'Memory limit of a run when neither request nor runtime sets one',
    256,
    16,
    65536,
  ),
  RUN_MAX_MEMORY_MB: int('Largest memory limit a request may ask for', 1024, 16, 65536),
  RUN_DEFAULT_OUTPUT_KB: int(
    'Output cap per stream (stdout, stderr) when the request sets none',
    1024,
    1,
    1048576,
  ),
  RUN_MAX_OUTPUT_KB: int('Largest output cap per stream a request may ask for', 8192, 1, 1048576),
  RUN_OUTPUT_FILES_MAX: int(
    "Most files a run stage sends back from out/ (and the request's outputs globs)",
    20,
    0,
    1000,
  ),
  RUN_OUTPUT_FILES_MAX_KB: int('Most bytes of files a run stage sends back, in KiB', 5120, 0, 262144),
  COMPILE_DEFAULT_TIMEOUT_MS: int(
    'Wall-clock limit of a compile stage unless runtime or request set one',
    10000,
    100,
    600000,
  ),
  COMPILE_MAX_TIMEOUT_MS: int('Largest compile wall-clock limit a request may ask for', 60000, 100, 600000),
  COMPILE_DEFAULT_MEMORY_MB: int(
    'Memory limit of a compile stage unless runtime or request set one',
    1024,
    16,
    65536,
  ),
  COMPILE_MAX_MEMORY_MB: int('Largest compile memory limit a request may ask for', 2048, 16, 65536),
  COMPILE_PIDS: int("Process/thread limit of a compile stage (at least the runtime's own)", 256, 8, 4096),
  RUN_MAX_FILES: int('Most files one request may carry', 100, 1, 10000),
  RUN_MAX_BODY_KB: int('Largest request body, in KiB; larger bodies get 413', 5120, 1, 1048576),
  RUN_FILE_SIZE_MB: int('Largest file a program may write', 32, 1, 4096),
  STATE_DIR: z
    .string()
    .default('')
    .describe("Folder for state kept across restarts (Jobe file cache); empty: the repository's .state"),
  RUN_STORE: z
    .enum(['sqlite', 'memory', 'none'])
    .default('sqlite')
    .describe(
      'Where runs are recorded for GET /api/v1/runs/{id} and ?wait=false: sqlite (STATE_DIR/runs.sqlite), memory (lost on restart), none',
    ),
  DATABASE_URL: z
    .string()
    .default('')
    // Reported without its value (SECRET_KEYS): it may hold a password.
    .refine((url) => url === '' || /^postgres(ql)?:\/\//.test(url), {
      error: 'must start with postgres:// or postgresql://',
    })
    .describe(
      'PostgreSQL connection URL (postgres://user:password@host:port/database); with it, runs are recorded in PostgreSQL instead of RUN_STORE. Never logged: it may hold a password',
    ),
  RUN_STORE_MAX_AGE_HOURS: int('Recorded runs older than this are pruned', 168, 1, 87600),
  RUN_STORE_MAX_RUNS: int('Most recorded runs kept; the oldest beyond it are pruned', 10000, 1, 100000000),
  JOBE_FILE_CACHE_MB: int(
    'Most the Jobe file cache (PUT files) keeps on disk; oldest files go first',
    256,
    1,
    1048576,
  ),
  SHUTDOWN_GRACE_MS: int('How long in-flight runs may take to finish after SIGTERM', 35000, 0, 600000),
  SERVE_CLIENT: bool('Serve the web client at /', true),
  RUN_PRESTART: z
    .string()
    .default('true')
    .refine((v) => /^(true|false|1|0|[a-z][a-z0-9+-]*(,[a-z][a-z0-9+-]*)*)$/.test(v.replace(/\s+/g, '')), {
      message: 'expected true, false or comma-separated language names',
    })
    .transform((v): boolean | readonly string[] => {
      const t = v.replace(/\s+/g, '');
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      return Object.freeze(t.split(','));
    })
    .describe(
      'Start the interpreter of runtimes that declare a prestart in each warm container before its run: true (all), false (plain starts), or the languages that may (python,javascript)',
    ),
  API_KEYS: z
    .string()
    .default('')
    .describe(
      'Comma-separated API keys required on /api/*; empty leaves the API open (keep HOST on loopback then)',
    ),
  RATE_LIMIT_PER_MINUTE: int(
    'Requests per minute per API key (or client address) on /api/*; 0 turns it off',
    600,
    0,
    1000000,
  ),
  CORS_ORIGINS: z
    .string()
    .default('')
    .describe(
      'Comma-separated origins allowed to call the API from browsers; empty: same origin only; * any',
    ),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      const parsed = parseTrustProxy(value);
      if (typeof parsed === 'object' && 'problem' in parsed) {
        ctx.issues.push({ code: 'custom', message: parsed.problem, input: value });
        return z.NEVER;
      }
      return parsed;
    })
    .describe(
      'Proxies whose X-Forwarded-For gives the client address (Fastify trustProxy): false, true (any: only when clients cannot bypass the proxy), or comma-separated addresses/CIDRs',
    ),
  WS_TICKET_TTL_MS: int(
    'How long a WebSocket ticket (POST /api/v1/ws-tickets) stays valid; each admits one connection',
    30000,
    1000,
    600000,
  ),
  JUDGE0_SUBMISSION_TTL_MS: int(
    'How long a finished Judge0 submission (/judge0) is kept for GET /judge0/submissions/{token}',
    3600000,
    1000,
    604800000,
  ),
  JUDGE0_MAX_QUEUE_SIZE: int(
    'Judge0 submissions (wait=false) waiting to run before new ones get 503 "queue is full"',
    100,
    1,
    100000,
  ),
  JUDGE0_CALLBACKS_ALLOW_PRIVATE: bool(
    'Let Judge0 callback_url PUTs reach loopback and private addresses (SSRF risk; tests only)',
    false,
  ),
  WEBHOOK_SECRET: z
    .string()
    .default('')
    .describe(
      'Key of the HMAC-SHA256 signature on callbackUrl webhooks (X-CodeRunner-Signature); empty: a run with a callbackUrl gets 400',
    ),
  WEBHOOK_ALLOW_PRIVATE: bool(
    'Let callbackUrl webhooks reach loopback, private, link-local and other non-public addresses (SSRF risk; tests and closed networks only)',
    false,
  ),
  WEBHOOK_TIMEOUT_MS: int('Longest one webhook try may take; each delivery has 3 tries', 10000, 100, 120000),
  RUN_BATCH_MAX: int('Most runs one POST /api/v1/batches may carry', 50, 1, 1000),
  REDIS_URL: z
    .string()
    .default('')
    .refine((v) => v === '' || /^rediss?:\/\//.test(v), { error: 'must start with redis:// or rediss://' })
    .describe(
      'With it, runs go through a BullMQ queue on this Redis (api and worker processes); empty: one process with an in-memory queue',
    ),
  CODERUNNER_ROLE: z
    .enum(['all', 'api', 'worker'])
    .default('all')
    .describe(
      'With REDIS_URL: api (HTTP only), worker (runs jobs on the Docker engine, no HTTP), or all (both in one process)',
    ),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, { error: 'use 1-32 of a-z, 0-9 and -' })
    .default('coderunner')
    .describe('Prefix of every Redis key CodeRunner uses (several deployments can share one Redis)'),
  QUEUE_LOCK_MS: int(
    "How long a worker's hold on a run lasts without renewal; a worker silent this long is presumed dead",
    30000,
    1000,
    600000,
  ),
  QUEUE_STALLED_INTERVAL_MS: int(
    'How often workers look for runs whose worker died (BullMQ stalled-job check)',
    30000,
    1000,
    600000,
  ),
  WORKER_HEARTBEAT_MS: int('How often a worker announces its languages in Redis', 2000, 100, 60000),
  WORKER_TTL_MS: int(
    'A worker not heard from for this long is taken as gone: its languages get 503 if no other worker has them',
    10000,
    500,
    600000,
  ),
  RUN_MAX_PER_KEY: int(
    'Most runs one API key may have queued or running at once (fairness between keys); 0: no cap',
    50,
    0,
    100000,
  ),
});

/** Keys whose values may hold credentials: never quoted in a ConfigError. */
const SECRET_KEYS: ReadonlySet<string> = new Set(['DATABASE_URL', 'REDIS_URL', 'API_KEYS', 'WEBHOOK_SECRET']);

/** Names proxy-addr (Fastify's trustProxy) accepts besides addresses. */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry) || isIP(entry) !== 0) return true;
  const match = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  const version = match ? isIP(match[1]!) : 0;
  return version !== 0 && Number(match![2]) <= (version === 4 ? 32 : 128);
}

/** TRUST_PROXY as Fastify's trustProxy option, or the problem with it. */
function parseTrustProxy(raw: string): boolean | string[] | { problem: string } {
  const value = raw.trim().toLowerCase();
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value))
    return {
      problem:
        "hop counts are not accepted (Fastify ignores them: they cannot check the peer, so clients could spoof X-Forwarded-For); list the proxy's addresses",
    };
  const entries = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !isProxyAddress(e));
  if (entries.length > 0 && bad.length === 0) return entries;
  return {
    problem: `expected false, true or comma-separated IP addresses/CIDRs (or loopback, linklocal, uniquelocal); not ${bad.join(', ') || 'empty'}`,
  };
}

/** The validated, frozen configuration. */
export type Config = Readonly<z.infer<typeof configSchema>> & {
  /** POOL_SIZES parsed: language -> size. */
  readonly poolSizes: Readonly<Record<string, number>>;
  /** LANGUAGES parsed; empty means all. */
  readonly languages: readonly string[];
  /** API_KEYS parsed. */
  readonly apiKeys: readonly string[];
  /** CORS_ORIGINS parsed. */
  readonly corsOrigins: readonly string[];
};

/** Whether RUN_PRESTART lets `language` pre-start its interpreter (when its runtime.json declares one). */
export function prestartAllowed(config: Pick<Config, 'RUN_PRESTART'>, language: string): boolean {
  const p = config.RUN_PRESTART;
  return typeof p === 'boolean' ? p : p.includes(language);
}

/** Thrown with every problem in the environment at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function parsePoolSizes(raw: string, problems: string[]): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z][a-z0-9+-]*)=(\d+)$/.exec(part);
    if (!match || Number(match[2]) > 64) {
      problems.push(`POOL_SIZES: "${part}" is not language=size with size 0..64`);
      continue;
    }
    sizes[match[1]!] = Number(match[2]);
  }
  return sizes;
}

/**
 * Validates the environment once and returns a frozen config. Unknown keys are ignored (the environment holds
 * much else); bad values are all reported together.
 *
 * @example
 *   const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const problems: string[] = [];
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.');
      // A secret's value stays out of the message, which main.ts prints.
      const shown = SECRET_KEYS.has(key) ? '' : `=${JSON.stringify(input[key] ?? '')}`;
      problems.push(`${key}${shown}: ${issue.message}`);
    }
  }
  const poolSizes = parsePoolSizes(env.POOL_SIZES ?? '', problems);
  if (parsed.success) {
    const c = parsed.data;
    if (c.RUN_DEFAULT_TIMEOUT_MS > c.RUN_MAX_TIMEOUT_MS)
      problems.push('RUN_DEFAULT_TIMEOUT_MS must not exceed RUN_MAX_TIMEOUT_MS');
    if (c.RUN_DEFAULT_MEMORY_MB > c.RUN_MAX_MEMORY_MB)
      problems.push('RUN_DEFAULT_MEMORY_MB must not exceed RUN_MAX_MEMORY_MB');
    if (c.COMPILE_DEFAULT_TIMEOUT_MS > c.COMPILE_MAX_TIMEOUT_MS)
      problems.push('COMPILE_DEFAULT_TIMEOUT_MS must not exceed COMPILE_MAX_TIMEOUT_MS');
    if (c.COMPILE_DEFAULT_MEMORY_MB > c.COMPILE_MAX_MEMORY_MB)
      problems.push('COMPILE_DEFAULT_MEMORY_MB must not exceed COMPILE_MAX_MEMORY_MB');
    if (c.RUN_DEFAULT_OUTPUT_KB > c.RUN_MAX_OUTPUT_KB)
      problems.push('RUN_DEFAULT_OUTPUT_KB must not exceed RUN_MAX_OUTPUT_KB');
    if (c.CODERUNNER_ROLE !== 'all' && !c.REDIS_URL)
      problems.push(
        `CODERUNNER_ROLE=${c.CODERUNNER_ROLE} needs REDIS_URL (the queue between api and workers)`,
      );
    if (c.WORKER_HEARTBEAT_MS * 2 > c.WORKER_TTL_MS)
      problems.push('WORKER_TTL_MS must be at least twice WORKER_HEARTBEAT_MS');
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const list = (raw: string) =>
    raw
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  return Object.freeze({
    ...parsed.data,
    poolSizes: Object.freeze(poolSizes),
    languages: Object.freeze(list(parsed.data.LANGUAGES)),
    apiKeys: Object.freeze(list(parsed.data.API_KEYS)),
    corsOrigins: Object.freeze(list(parsed.data.CORS_ORIGINS)),
  });
}
