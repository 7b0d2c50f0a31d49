import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { createError } from '../../errors/errors.js';
import type { RunService } from '../../runs/run-service.js';
import type { RuntimeRegistry } from '../../runtimes/runtime-registry.js';
import { PistonLanguages } from './piston-languages.js';
import { pistonJob, PistonRefusal, type PistonLimitsConfig } from './piston-request.js';
import { PistonCollector, pistonResult } from './piston-result.js';
import { errorReplies } from '../../http/openapi.js';
import { tagRequestWithRun } from '../../http/runs-routes.js';
import { PistonSocketSession } from './piston-ws.js';

// Documentation only (http/openapi.ts): Piston's own protocol, in brief; docs/compat.md has the details.
const message = {
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string' } },
};
const pistonStage = {
  type: 'object',
  properties: {
    stdout: { type: 'string' },
    stderr: { type: 'string' },
    output: { type: 'string' },
    code: { type: ['integer', 'null'] },
    signal: { type: ['string', 'null'] },
    message: { type: ['string', 'null'] },
    status: { type: ['string', 'null'], enum: ['RE', 'SG', 'TO', 'OL', 'EL', 'XX', null] },
    cpu_time: { type: ['number', 'null'] },
    wall_time: { type: ['number', 'null'] },
    memory: { type: ['number', 'null'] },
  },
};
const docs = {
  runtimes: {
    tags: ['piston'],
    summary: 'Piston: runtimes',
    response: {
      200: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            language: { type: 'string' },
            version: { type: 'string' },
            aliases: { type: 'array', items: { type: 'string' } },
            runtime: { type: 'string' },
          },
        },
      },
      ...errorReplies(),
    },
  },
  execute: {
    tags: ['piston'],
    summary: 'Piston: execute a job',
    description: 'JSON, also when sent as text/plain (piston-client does so).',
    consumes: ['application/json', 'text/plain'],
    body: {
      type: 'object',
      required: ['language', 'version', 'files'],
      properties: {
        language: { type: 'string' },
        version: { type: 'string', description: 'A semver range, or `*`.' },
        files: {
          type: 'array',
          items: {
            type: 'object',
            required: ['content'],
            properties: {
              name: { type: 'string' },
              content: { type: 'string' },
              encoding: { type: 'string', enum: ['utf8', 'base64', 'hex'] },
            },
          },
        },
        stdin: { type: 'string' },
        args: { type: 'array', items: { type: 'string' } },
        compile_timeout: { type: 'integer' },
        run_timeout: { type: 'integer' },
        compile_cpu_time: { type: 'integer' },
        run_cpu_time: { type: 'integer' },
        compile_memory_limit: { type: 'integer' },
        run_memory_limit: { type: 'integer' },
      },
    },
    response: {
      200: {
        type: 'object',
        properties: {
          language: { type: 'string' },
          version: { type: 'string' },
          run: pistonStage,
          compile: pistonStage,
        },
      },
      400: { ...message, description: 'An invalid job.' },
      415: { ...message, description: 'Neither application/json nor text/plain.' },
      ...errorReplies(),
    },
  },
  connect: {
    tags: ['piston'],
    summary: 'Piston: interactive job (WebSocket)',
    description:
      'Upgrade to a WebSocket: `init` (execute’s parameters), then `data` (stdin) and `signal` frames; the ' +
      'server sends `runtime`, `stage`, `data`, `exit`, `error`, and closes with 4999 when the job is done.',
    response: { 101: { description: 'Switching Protocols.', type: 'null' }, ...errorReplies() },
  },
} as const;

export interface PistonDeps {
  runs: RunService;
  registry: Pick<RuntimeRegistry, 'list'>;
  config: PistonLimitsConfig;
}

/** Piston's own mount point and the one its public instance (and piston-client's default) uses. */
const PREFIXES = ['/api/v2', '/api/v2/piston'] as const;

function parseJson(
  _request: FastifyRequest,
  body: string,
  done: (err: Error | null, value?: unknown) => void,
) {
  // express.json(): an empty body is `{}`.
  if (body.trim() === '') return done(null, {});
  try {
    done(null, JSON.parse(body));
  } catch (err) {
    done(Object.assign(err as Error, { statusCode: 400 }));
  }
}

/**
 * Piston v2 (engineer-man/piston readme.md "API", api/src/api/v2.js) at /api/v2 and /api/v2/piston:
 * `GET runtimes`, `POST execute`, WebSocket `connect`, translated to and from the run service. Call inside the
 * protected scope. Its own encapsulated plugin accepts a JSON body sent as text/plain (piston-client does so);
 * the rest of the API still answers 415 to text/plain.
 *
 * @example
 *   registerPistonRoutes(scope, { runs, registry, config });
 */
export function registerPistonRoutes(scope: FastifyInstance, deps: PistonDeps): void {
  void scope.register(async function piston(app) {
    const languages = new PistonLanguages(deps.registry);
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, parseJson);
    // Any other type reaches the handler unparsed, which answers Piston's own 415.
    app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

    async function execute(request: FastifyRequest, reply: FastifyReply) {
      // v2.js answers 415 to any other content type; text/plain is accepted too (see docs/compat.md).
      const type = request.headers['content-type'] ?? '';
      if (!type.startsWith('application/json') && !type.startsWith('text/plain')) {
        return reply.code(415).send({ message: 'requests must be of type application/json' });
      }
      let job;
      try {
        job = pistonJob(request.body, languages, deps.config, { keepStdin: true });
      } catch (err) {
        if (err instanceof PistonRefusal) return reply.code(400).send(err.body);
        throw err;
      }
      let prepared;
      try {
        prepared = deps.runs.prepare(job.request);
      } catch (err) {
        // What Piston would accept but our request rules refuse (file names...): Piston's 400 shape.
        if (err instanceof Error && 'statusCode' in err && err.statusCode === 400) {
          return reply.code(400).send({ message: err.message });
        }
        throw err;
      }
      tagRequestWithRun(request, reply, prepared.id);
      const abort = new AbortController();
      const gone = () => {
        if (!reply.raw.writableEnded) abort.abort(new Error('the client went away'));
      };
      reply.raw.on('close', gone);
      const collector = new PistonCollector();
      try {
        const response = await deps.runs.execute(prepared, {
          signal: abort.signal,
          onEvent: (event) => collector.onEvent(event),
        });
        const names = prepared.agentRequest.stages.map((s) => s.name);
        return await reply
          .code(200)
          .send(pistonResult(job.runtime.language, job.runtime.version, names, collector, response));
      } finally {
        reply.raw.off('close', gone);
      }
    }

    for (const prefix of PREFIXES) {
      app.get(`${prefix}/runtimes`, { config: { openapi: docs.runtimes } }, async () => languages.list());
      app.post(`${prefix}/execute`, { config: { openapi: docs.execute } }, execute);
      app.route({
        method: 'GET',
        url: `${prefix}/connect`,
        config: { openapi: docs.connect },
        handler: async () => {
          throw createError('CR_ERR_HTTP_UPGRADE_REQUIRED');
        },
        wsHandler: (socket: WebSocket) =>
          new PistonSocketSession(socket, {
            runs: deps.runs,
            languages,
            limits: deps.config,
            log: app.log,
          }).start(),
      });
    }
  });
}
