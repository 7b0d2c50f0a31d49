import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { CodeRunnerError } from '../../errors/errors.js';
import type { RunService } from '../../runs/run-service.js';
import type { Runtime, RuntimeRegistry } from '../../runtimes/runtime-registry.js';
import { callbackUrlProblem } from './callback.js';
import { Judge0Service, QueueFull, type Judge0Config } from './judge0-service.js';
import { judge0Languages, type Judge0Language } from './languages.js';
import { NotUtf8Error, parseFields, serializeSubmission } from './serialize.js';
import { STATUSES } from './statuses.js';
import { parseSubmission, type FieldErrors, type Submission } from './submission.js';
import { errorReplies } from '../../http/openapi.js';

// Documentation only (http/openapi.ts): Judge0 CE's own protocol, in brief; docs/compat.md has more.
function j0(summary: string, rest: { response?: Record<number, object> } & Record<string, unknown> = {}) {
  const response = rest.response ?? {};
  const success = Object.keys(response).some((status) => status.startsWith('2'));
  return {
    tags: ['judge0'],
    summary: `Judge0: ${summary}`,
    ...rest,
    response: { ...(success ? {} : { 200: { type: 'object' } }), ...response, ...errorReplies() },
  };
}
const j0Error = {
  type: 'object',
  properties: { error: { type: 'string' } },
};
const submissionQuery = {
  type: 'object',
  properties: {
    base64_encoded: { type: 'string', enum: ['true', 'false'], default: 'true' },
    fields: { type: 'string', description: 'Comma-separated fields to return, or `*`.' },
    wait: { type: 'string', enum: ['true', 'false'], default: 'false' },
  },
};
const submissionBody = {
  type: 'object',
  required: ['source_code', 'language_id'],
  description: 'A Judge0 submission: source_code, language_id, stdin, expected_output, limits, callback_url…',
  properties: {
    source_code: { type: 'string' },
    language_id: { type: 'integer' },
    stdin: { type: 'string' },
    expected_output: { type: 'string' },
    callback_url: { type: 'string' },
  },
};
const token = { type: 'object', properties: { token: { type: 'string' } } };
const docs = {
  create: j0('create a submission', {
    querystring: submissionQuery,
    body: submissionBody,
    response: {
      201: { ...token, description: 'The token; with `wait=true`, the submission itself.' },
      400: j0Error,
      422: { type: 'object', description: 'Field errors: `{ field: [messages] }`.' },
      503: { ...j0Error, description: 'The queue is full.' },
    },
  }),
  createBatch: j0('create submissions', {
    querystring: submissionQuery,
    body: {
      type: 'object',
      required: ['submissions'],
      properties: { submissions: { type: 'array', items: submissionBody } },
    },
    response: {
      201: {
        type: 'array',
        items: { type: 'object' },
        description: 'A token or the field errors, per item.',
      },
      400: j0Error,
      422: { type: 'array', items: { type: 'object' } },
      503: j0Error,
    },
  }),
  getBatch: j0('read submissions', {
    querystring: {
      ...submissionQuery,
      properties: {
        ...submissionQuery.properties,
        tokens: { type: 'string', description: 'Comma-separated tokens (or a `tokens` header).' },
      },
    },
    response: {
      200: {
        type: 'object',
        properties: { submissions: { type: 'array', items: { type: ['object', 'null'] } } },
      },
      400: j0Error,
    },
  }),
  get: j0('read a submission', {
    querystring: submissionQuery,
    params: { type: 'object', required: ['token'], properties: { token: { type: 'string' } } },
    response: { 400: j0Error, 404: j0Error },
  }),
  languages: j0('languages', { response: { 200: { type: 'array', items: { type: 'object' } } } }),
  language: j0('a language', {
    params: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } },
    response: { 404: j0Error },
  }),
  statuses: j0('statuses', { response: { 200: { type: 'array', items: { type: 'object' } } } }),
  info: j0('about'),
  version: j0('version', {
    produces: ['text/plain'],
    response: { 200: { content: { 'text/plain': { schema: { type: 'string' } } } } },
  }),
  config: j0('configuration'),
};

export interface Judge0Deps {
  config: Judge0Config & Pick<Config, 'RUN_MAX_BODY_KB'>;
  runs: RunService;
  registry: Pick<RuntimeRegistry, 'resolve' | 'list'>;
  logger: FastifyBaseLogger;
}

type Query = Record<string, string | undefined>;

const CONVERSION_ONE =
  'some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter';
const CONVERSION_MANY =
  'some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter';

/**
 * Judge0 CE 1.13's API under /judge0 (judge0/judge0 config/routes.rb, app/controllers/*), translated to and
 * from the one run service. Register inside the protected scope: `registerJudge0Routes(scope, deps)`.
 */
export function registerJudge0Routes(scope: FastifyInstance, deps: Judge0Deps): void {
  const service = new Judge0Service(deps.runs, deps.config, deps.logger);
  // The registry may change (live workers in the distributed mode): the table follows its list.
  let seen: readonly Runtime[] | null = null;
  let table = new Map<number, Judge0Language>();
  const languagesNow = () => {
    const runtimes = deps.registry.list();
    if (runtimes !== seen) {
      table = judge0Languages(deps.registry);
      seen = runtimes;
    }
    return table;
  };
  const L = service.limits;
  scope.addHook('onClose', async () => service.close());

  // set_base64_encoded with DISABLE_IMPLICIT_BASE64_ENCODING=false: base64 unless base64_encoded=false.
  const base64Of = (q: Query) => q.base64_encoded !== 'false';
  const fieldsOf = (q: Query, reply: FastifyReply): string[] | null => {
    const { fields, invalid } = parseFields(q.fields);
    if (invalid.length > 0) {
      void reply.code(400).send({ error: `invalid fields: [${invalid.join(', ')}]` });
      return null;
    }
    return fields;
  };
  const notFound = (reply: FastifyReply) => reply.code(404).send({ status: 404, error: 'Not Found' });
  const validate = (raw: unknown, base64: boolean) => {
    const parsed = parseSubmission(raw, { base64, languages: languagesNow(), limits: L });
    if ('errors' in parsed) return parsed;
    const url = parsed.params.callbackUrl;
    const problem = url === null ? null : callbackUrlProblem(url, deps.config.JUDGE0_CALLBACKS_ALLOW_PRIVATE);
    if (problem) return { errors: { callback_url: [problem] } as FieldErrors };
    return parsed;
  };

  scope.post(
    '/judge0/submissions',
    { config: { openapi: docs.create } },
    async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      const q = request.query;
      const wait = q.wait === 'true';
      try {
        service.checkQueue(1);
      } catch (err) {
        if (err instanceof QueueFull) return reply.code(503).send({ error: 'queue is full' });
        throw err;
      }
      const fields = fieldsOf(q, reply);
      if (!fields) return reply;
      const base64 = base64Of(q);
      const parsed = validate(request.body, base64);
      if ('errors' in parsed) return reply.code(422).send(parsed.errors);
      const s = service.create(parsed.params, parsed.language);
      if (!wait) {
        service.enqueue(s);
        return reply.code(201).send({ token: s.token });
      }
      try {
        await service.runNow(s);
      } catch (err) {
        if (err instanceof CodeRunnerError && err.code === 'CR_ERR_RUN_QUEUE_FULL')
          return reply.code(503).send({ error: 'queue is full' });
        if (err instanceof CodeRunnerError)
          return reply.code(err.statusCode).headers(err.headers).send({ error: err.message });
        throw err;
      }
      try {
        return reply.code(201).send(serializeSubmission(s, fields, base64));
      } catch (err) {
        if (err instanceof NotUtf8Error)
          return reply.code(201).send({ error: CONVERSION_ONE, token: s.token });
        throw err;
      }
    },
  );

  scope.post(
    '/judge0/submissions/batch',
    { config: { openapi: docs.createBatch } },
    async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      const list = (request.body as { submissions?: unknown } | null)?.submissions;
      const items = Array.isArray(list) ? list : [];
      if (items.length > L.maxBatchSize)
        return reply.code(400).send({
          error: `number of submissions in a batch should be less than or equal to ${L.maxBatchSize}`,
        });
      if (items.length === 0)
        return reply.code(400).send({ error: 'there should be at least one submission in a batch' });
      try {
        service.checkQueue(items.length);
      } catch (err) {
        if (err instanceof QueueFull) return reply.code(503).send({ error: 'queue is full' });
        throw err;
      }
      const base64 = base64Of(request.query);
      let anyValid = false;
      const answer = items.map((item) => {
        const parsed = validate(item, base64);
        if ('errors' in parsed) return parsed.errors;
        const s = service.create(parsed.params, parsed.language);
        service.enqueue(s);
        anyValid = true;
        return { token: s.token };
      });
      return reply.code(anyValid ? 201 : 422).send(answer);
    },
  );

  scope.get(
    '/judge0/submissions/batch',
    { config: { openapi: docs.getBatch } },
    async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      const fields = fieldsOf(request.query, reply);
      if (!fields) return reply;
      const header = request.headers.tokens;
      const raw = (typeof header === 'string' ? header : (request.query.tokens ?? '')).trim();
      const tokens = raw === '' ? [] : raw.split(',');
      if (tokens.length > L.maxBatchSize)
        return reply.code(400).send({
          error: `number of submissions in a batch should be less than or equal to ${L.maxBatchSize}`,
        });
      if (tokens.length === 0)
        return reply.code(400).send({ error: 'there should be at least one submission in a batch' });
      const base64 = base64Of(request.query);
      try {
        const submissions = tokens.map((t) => {
          const s = service.get(t);
          return s ? serializeSubmission(s, fields, base64) : null;
        });
        return reply.send({ submissions });
      } catch (err) {
        if (err instanceof NotUtf8Error) return reply.code(400).send({ error: CONVERSION_MANY });
        throw err;
      }
    },
  );

  scope.get(
    '/judge0/submissions/:token',
    { config: { openapi: docs.get } },
    async (request: FastifyRequest<{ Params: { token: string }; Querystring: Query }>, reply) => {
      const fields = fieldsOf(request.query, reply);
      if (!fields) return reply;
      const s: Submission | undefined = service.get(request.params.token);
      if (!s) return notFound(reply);
      try {
        return reply.send(serializeSubmission(s, fields, base64Of(request.query)));
      } catch (err) {
        if (err instanceof NotUtf8Error) return reply.code(400).send({ error: CONVERSION_ONE });
        throw err;
      }
    },
  );

  const languageList = () =>
    [...languagesNow().values()].sort((a, b) => a.id - b.id).map((l) => ({ id: l.id, name: l.name }));
  scope.get('/judge0/languages', { config: { openapi: docs.languages } }, async () => languageList());
  scope.get('/judge0/languages/all', { config: { openapi: docs.languages } }, async () =>
    [...languagesNow().values()]
      .sort((a, b) => a.id - b.id)
      .map((l) => ({ id: l.id, name: l.name, is_archived: false })),
  );
  scope.get(
    '/judge0/languages/:id',
    { config: { openapi: docs.language } },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const l = /^\d+$/.test(request.params.id) ? languagesNow().get(Number(request.params.id)) : undefined;
      if (!l) return notFound(reply);
      const m = l.runtime.manifest;
      return {
        id: l.id,
        name: l.name,
        is_archived: false,
        source_file: l.sourceFile,
        compile_cmd: l.isProject || !m.compile ? null : m.compile.join(' '),
        run_cmd: l.isProject ? null : m.run.join(' '),
      };
    },
  );
  scope.get('/judge0/statuses', { config: { openapi: docs.statuses } }, async () =>
    STATUSES.map((s) => ({ id: s.id, description: s.description })),
  );
  scope.get('/judge0/about', { config: { openapi: docs.info } }, async () => ({
    version: '1.13.1',
    homepage: null,
    source_code: null,
    maintainer: 'CodeRunner (Judge0 CE compatibility subset)',
  }));
  scope.get('/judge0/version', { config: { openapi: docs.version } }, async (_request, reply) =>
    reply.type('text/plain').send('1.13.1'),
  );
  scope.get('/judge0/config_info', { config: { openapi: docs.config } }, async () => ({
    maintenance_mode: false,
    enable_wait_result: true,
    enable_compiler_options: true,
    allowed_languages_for_compile_options: [],
    enable_command_line_arguments: true,
    enable_submission_delete: false,
    enable_callbacks: true,
    callbacks_max_tries: L.callbacksMaxTries,
    callbacks_timeout: L.callbacksTimeout,
    enable_additional_files: true,
    max_queue_size: L.maxQueueSize,
    cpu_time_limit: L.cpuTimeLimit,
    max_cpu_time_limit: L.maxCpuTimeLimit,
    cpu_extra_time: L.cpuExtraTime,
    max_cpu_extra_time: L.maxCpuExtraTime,
    wall_time_limit: L.wallTimeLimit,
    max_wall_time_limit: L.maxWallTimeLimit,
    memory_limit: L.memoryLimit,
    max_memory_limit: L.maxMemoryLimit,
    stack_limit: L.stackLimit,
    max_stack_limit: L.maxStackLimit,
    max_processes_and_or_threads: L.maxProcesses,
    max_max_processes_and_or_threads: L.maxMaxProcesses,
    enable_per_process_and_thread_time_limit: false,
    allow_enable_per_process_and_thread_time_limit: true,
    enable_per_process_and_thread_memory_limit: false,
    allow_enable_per_process_and_thread_memory_limit: true,
    max_file_size: L.maxFileSize,
    max_max_file_size: L.maxMaxFileSize,
    number_of_runs: L.numberOfRuns,
    max_number_of_runs: L.maxNumberOfRuns,
    redirect_stderr_to_stdout: false,
    max_extract_size: L.maxExtractSize,
    enable_batched_submissions: true,
    max_submission_batch_size: L.maxBatchSize,
    submission_cache_duration: 1.0,
    use_docs_as_homepage: false,
    allow_enable_network: false,
    enable_network: false,
    disable_implicit_base64_encoding: false,
  }));
}
