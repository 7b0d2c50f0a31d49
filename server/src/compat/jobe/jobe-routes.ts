import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../../config/config.js';
import { CodeRunnerError } from '../../errors/errors.js';
import type { PreparedRun, RunService } from '../../runs/run-service.js';
import type { RuntimeRegistry } from '../../runtimes/runtime-registry.js';
import { JobeFileCache, isFileId } from './file-cache.js';
import { jobeLanguages, resolveJobeLanguage } from './languages.js';
import { OUTCOME, toJobeResult, type JobeResult } from './result.js';
import { JobeError, planJobeRun } from './run-spec.js';
import { errorReplies } from '../../http/openapi.js';
import { tagRequestWithRun } from '../../http/runs-routes.js';

// Documentation only (http/openapi.ts): Jobe's own protocol (restapi.pdf), in brief; docs/compat.md has more.
const jobeMessage = { type: 'string', description: 'Jobe answers errors with a JSON string.' };
const fileId = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'The file’s id (Moodle uses its MD5).' } },
};
const docs = {
  languages: {
    tags: ['jobe'],
    summary: 'Jobe: languages',
    response: {
      200: {
        type: 'array',
        description: '`[language id, version]` pairs.',
        items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
      },
      ...errorReplies(),
    },
  },
  runs: {
    tags: ['jobe'],
    summary: 'Jobe: run a job',
    body: {
      type: 'object',
      required: ['run_spec'],
      properties: {
        run_spec: {
          type: 'object',
          required: ['language_id', 'sourcecode'],
          properties: {
            language_id: { type: 'string' },
            sourcecode: { type: 'string' },
            sourcefilename: { type: 'string' },
            input: { type: 'string' },
            file_list: {
              type: 'array',
              description: '`[file id, file name]` pairs of files PUT before.',
              items: { type: 'array', items: { type: 'string' } },
            },
            parameters: { type: 'object', description: 'cputime, memorylimit, runargs, compileargs…' },
            debug: { type: 'boolean' },
          },
        },
      },
    },
    response: {
      200: {
        type: 'object',
        description:
          'outcome: 11 compile error, 12 runtime error, 13 time limit, 15 success, 17 memory limit, ' +
          '19 illegal system call, 20 internal error, 21 server overload.',
        properties: {
          run_id: { type: ['string', 'null'] },
          outcome: { type: 'integer' },
          cmpinfo: { type: 'string' },
          stdout: { type: 'string' },
          stderr: { type: 'string' },
        },
      },
      400: { ...jobeMessage, description: 'An invalid run_spec (Jobe’s message).' },
      ...errorReplies(),
    },
  },
  putFile: {
    tags: ['jobe'],
    summary: 'Jobe: upload a file',
    params: fileId,
    body: {
      type: 'object',
      required: ['file_contents'],
      properties: { file_contents: { type: 'string', description: 'base-64' } },
    },
    response: {
      204: { description: 'Stored.', type: 'null' },
      400: { ...jobeMessage, description: 'No file_contents, or not base-64.' },
      404: { ...jobeMessage, description: 'Not a valid file id.' },
      413: { ...jobeMessage, description: 'Larger than the file cache (JOBE_FILE_CACHE_MB).' },
      ...errorReplies(),
    },
  },
  headFile: {
    tags: ['jobe'],
    summary: 'Jobe: is a file cached?',
    params: fileId,
    response: {
      204: { description: 'The file is cached.', type: 'null' },
      404: { description: 'It is not: PUT it.', type: 'null' },
      ...errorReplies(),
    },
  },
} as const;

/** Where Moodle's qtype_coderunner looks for Jobe by default, and Jobe's own legacy prefix (app/Config/Routes.php). */
export const JOBE_PREFIXES = ['/jobe/index.php/restapi', '/restapi'] as const;

/** How long a run waits for a free slot before outcome 21 (app/Config/Jobe.php `jobe_wait_timeout`, 10 s). */
const JOBE_WAIT_TIMEOUT_MS = 10000;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export interface JobeDeps {
  runs: RunService;
  registry: Pick<RuntimeRegistry, 'list'>;
  config: Pick<
    Config,
    'RUN_MAX_TIMEOUT_MS' | 'RUN_MAX_MEMORY_MB' | 'RUN_MAX_OUTPUT_KB' | 'STATE_DIR' | 'JOBE_FILE_CACHE_MB'
  >;
  /** Wait for a free slot before answering 21; Jobe's 10 s unless a test sets it. */
  overloadWaitMs?: number;
}

/** Jobe answers errors with a JSON string and its status (CodeIgniter's `respond($message, $status)`). */
function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(message));
}

/**
 * The Jobe REST API (restapi.pdf in the jobe repository; app/Controllers/{Languages,Runs,Files}.php) under
 * both prefixes, translated to and from the one run service. Register inside the protected scope.
 *
 * @example
 *   registerProtected(app, access, (scope) => registerJobeRoutes(scope, { runs, registry, config }));
 */
export function registerJobeRoutes(app: FastifyInstance, deps: JobeDeps): void {
  const stateDir = deps.config.STATE_DIR || join(REPO_ROOT, '.state');
  let cache: Promise<JobeFileCache> | null = null;
  const files = (): Promise<JobeFileCache> =>
    (cache ??= JobeFileCache.open(
      join(stateDir, 'jobe-files'),
      deps.config.JOBE_FILE_CACHE_MB * 1024 * 1024,
    ));
  const waitMs = deps.overloadWaitMs ?? JOBE_WAIT_TIMEOUT_MS;

  for (const prefix of JOBE_PREFIXES) {
    for (const slash of ['', '/']) {
      app.get(`${prefix}/languages${slash}`, { config: { openapi: docs.languages } }, async () =>
        jobeLanguages(deps.registry).map((l) => [l.id, l.runtime.version]),
      );
      app.post(`${prefix}/runs${slash}`, { config: { openapi: docs.runs } }, async (request, reply) => {
        try {
          return await run(request.body, reply);
        } catch (err) {
          if (err instanceof JobeError) return sendError(reply, err.status, err.message);
          throw err;
        }
      });
    }
    app.put<{ Params: { id: string } }>(
      `${prefix}/files/:id`,
      { config: { openapi: docs.putFile } },
      async (request, reply) => {
        if (!isFileId(request.params.id)) return sendError(reply, 404, 'No such file id');
        const body = request.body as { file_contents?: unknown } | null | undefined;
        if (!body || typeof body !== 'object' || typeof body.file_contents !== 'string') {
          return sendError(reply, 400, 'put: missing file_contents parameter');
        }
        // Files.php decodes strictly: anything that is not base-64 is refused.
        const text = body.file_contents.replace(/\s/g, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
          return sendError(reply, 400, `put: contents of file ${request.params.id} are not valid base-64`);
        }
        const stored = await (await files()).put(request.params.id, Buffer.from(text, 'base64'));
        if (!stored)
          return sendError(reply, 413, `put: file ${request.params.id} is larger than the file cache`);
        return reply.code(204).send();
      },
    );
    // @fastify/swagger leaves HEAD routes out unless told: this one has no GET to stand for it.
    const headOptions = { config: { openapi: docs.headFile, swagger: { exposeHeadRoute: true } } };
    app.head<{ Params: { id: string } }>(`${prefix}/files/:id`, headOptions, async (request, reply) => {
      const found = isFileId(request.params.id) && (await files()).has(request.params.id);
      return reply.code(found ? 204 : 404).send();
    });
  }

  async function run(body: unknown, reply: FastifyReply): Promise<JobeResult> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new JobeError(400, 'Non-JSON post data received');
    }
    const spec = (body as { run_spec?: unknown }).run_spec;
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      throw new JobeError(400, 'No run_spec attribute found in post data');
    }
    const runSpec = spec as Record<string, unknown>;
    for (const attr of ['sourcecode', 'language_id']) {
      if (typeof runSpec[attr] !== 'string') {
        throw new JobeError(400, `run_spec is missing the required attribute '${attr}'`);
      }
    }
    const languageId = runSpec.language_id as string;
    const language = resolveJobeLanguage(deps.registry, languageId);
    if (!language) throw new JobeError(400, `Language '${languageId}' is not known`);
    const plan = await planJobeRun(runSpec, language, {
      limits: deps.config,
      // Opened on first use only: a run without file_list never touches STATE_DIR.
      fileContents: async (id) => (await files()).get(id),
      marker: `__jobe_${randomBytes(12).toString('hex')}__`,
    });
    let prepared: PreparedRun;
    try {
      prepared = deps.runs.prepare(plan.body);
    } catch (err) {
      if (err instanceof CodeRunnerError && err.statusCode < 500) throw new JobeError(400, err.message);
      throw err;
    }
    tagRequestWithRun(reply.request, reply, prepared.id);

    const gone = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableEnded) gone.abort(new Error('the client disconnected'));
    };
    reply.raw.on('close', onClose);
    const runStage = prepared.agentRequest.stages.findIndex((s) => s.name === 'run');
    try {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let stage = -1;
        try {
          const response = await deps.runs.execute(prepared, {
            signal: gone.signal,
            onEvent: (event) => {
              if (event.type === 'stage-begin') stage = event.stage;
              else if (stage === runStage && event.type === 'stdout') out.push(event.data);
              else if (stage === runStage && event.type === 'stderr') err.push(event.data);
            },
          });
          return toJobeResult(
            response,
            { stdout: Buffer.concat(out), stderr: Buffer.concat(err) },
            {
              jobeId: language.id,
              streamBytes: plan.streamBytes,
              marker: plan.marker,
              runId: plan.debug ? response.id : null,
            },
          );
        } catch (e) {
          if (!(e instanceof CodeRunnerError)) throw e;
          // LanguageTask::getFreeUser: no free slot, so wait a second and try again, up to jobe_wait_timeout.
          if (e.code === 'CR_ERR_RUN_QUEUE_FULL' && Date.now() + 1000 <= deadline && !gone.signal.aborted) {
            await sleep(1000, undefined, { signal: gone.signal }).catch(() => undefined);
            continue;
          }
          if (
            e.code === 'CR_ERR_RUN_QUEUE_FULL' ||
            e.code === 'CR_ERR_RUN_QUEUE_TIMEOUT' ||
            e.code === 'CR_ERR_SERVER_SHUTTING_DOWN'
          ) {
            // Runs.php answers an OverloadException with ResultObject(0, 21) and 200.
            return { run_id: null, outcome: OUTCOME.serverOverload, cmpinfo: '', stdout: '', stderr: '' };
          }
          if (e.code === 'CR_ERR_SANDBOX_UNAVAILABLE') {
            return {
              run_id: null,
              outcome: OUTCOME.internalError,
              cmpinfo: '',
              stdout: '',
              stderr: e.message,
            };
          }
          throw e;
        }
      }
    } finally {
      reply.raw.off('close', onClose);
    }
  }
}
