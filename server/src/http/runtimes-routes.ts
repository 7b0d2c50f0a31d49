import type { FastifyInstance } from 'fastify';
import { acceptsExtraArgs, EXTRA_ARGS } from '../runtimes/runtime-manifest.js';
import type { RuntimeRegistry } from '../runtimes/runtime-registry.js';
import { errorReplies, ref } from './openapi.js';

const schema = {
  tags: ['runtimes'],
  summary: 'The languages this server runs',
  description: 'One entry per language, with the version read from its image and the libraries installed.',
  response: { 200: { type: 'array', items: ref('RuntimeInfo') }, ...errorReplies() },
};

/** `GET /api/v1/runtimes`: the languages this server runs, with the versions read from their images. */
export function registerRuntimesRoutes(app: FastifyInstance, registry: Pick<RuntimeRegistry, 'list'>): void {
  app.get('/api/v1/runtimes', { config: { openapi: schema } }, async () =>
    registry.list().map((r) => ({
      language: r.language,
      displayName: r.displayName,
      version: r.version,
      aliases: r.aliases,
      extensions: r.extensions,
      compiled: r.manifest.compile !== null,
      extraArgs: EXTRA_ARGS.filter((which) => acceptsExtraArgs(r, which)),
      libraries: r.libraries ?? [],
    })),
  );
}
