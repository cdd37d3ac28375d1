import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import type { Database } from '../../storage/schema.js';

/** Liveness (the process answers) and readiness (the database answers). */
export const healthRoutes =
  (deps: { db: Kysely<Database> }): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', { config: { public: true }, schema: { tags: ['health'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));
    app.get('/readyz', { config: { public: true }, schema: { tags: ['health'], summary: 'Readiness: the database answers' } }, async (_request, reply) => {
      try {
        await sql`select 1`.execute(deps.db);
        return { status: 'ready' };
      } catch {
        return reply.code(503).send({ status: 'not ready', reason: 'database unavailable' });
      }
    });
  };
