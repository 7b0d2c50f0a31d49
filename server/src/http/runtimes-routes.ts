import type { FastifyInstance } from 'fastify';
import { acceptsExtraArgs, EXTRA_ARGS } from '../runtimes/runtime-manifest.js';
import type { RuntimeRegistry } from '../runtimes/runtime-registry.js';

/** `GET /api/v1/runtimes`: the languages this server runs, with the versions read from their images. */
export function registerRuntimesRoutes(app: FastifyInstance, registry: RuntimeRegistry): void {
  app.get('/api/v1/runtimes', async () =>
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
