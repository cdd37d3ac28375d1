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
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: true,
      index: false,
      serve: true,
      setHeaders: (reply, path) => reply.header('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
  }
  app.setNotFoundHandler({ preHandler: async () => undefined }, (request, reply) => {
    if (request.method !== 'GET' || request.url.startsWith('/api/') || !index) throw new BastionError('BST_ERR_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`);
    return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(index);
  });
}
