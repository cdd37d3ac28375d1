import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { BastionError } from '../errors.js';

/**
 * Serves the built web client (dist/web). Hashed assets are cached for a year; any other non-API GET
 * answers index.html so deep links such as /portal/vms work.
 */
export async function registerWebClient(app: FastifyInstance, webRoot: string): Promise<void> {
  const indexFile = join(webRoot, 'index.html');
  const index = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined;
  if (index) {
    // The web client's files are public by nature; authentication decides from the matched route's
    // config, so the routes @fastify/static adds (its `/*` among them) must say so (issue #12).
    await app.register(async (files) => {
      files.addHook('onRoute', (route) => {
        route.config = { ...route.config, public: true };
      });
      await files.register(fastifyStatic, {
        root: webRoot,
        wildcard: true,
        index: false,
        serve: true,
        // The build writes <file>.br and <file>.gz beside each asset above 1 KB (packages/web/build/precompress.ts):
        // sent by Accept-Encoding with `Vary: Accept-Encoding`, the original otherwise. index.html, which the
        // routes below send from memory, stays under that size, so it goes uncompressed everywhere.
        preCompressed: true,
        setHeaders: (reply, path) => reply.header('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
      });
    });
    // The URL `npm start` prints ends in `/`: @fastify/static (index: false) refuses a folder, so the root
    // answers the portal itself.
    app.get('/', { config: { public: true }, schema: { hide: true } }, (_request, reply) => reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(index));
  }
  app.setNotFoundHandler({ preHandler: async () => undefined }, (request, reply) => {
    if (request.method !== 'GET' || /^\/api(\/|$)/.test(request.url) || !index) throw new BastionError('BST_ERR_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`);
    return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(index);
  });
}
