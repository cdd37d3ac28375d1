import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import type { LiveSessions } from '../../sessions/live-sessions.js';
import type { Database } from '../../storage/schema.js';

/** Liveness (the process answers) and readiness (the database answers and the bastion is not shutting down). */
export const healthRoutes =
  (deps: { db: Kysely<Database>; live?: LiveSessions }): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', { config: { public: true }, schema: { tags: ['health'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));
    app.get('/readyz', { config: { public: true }, schema: { tags: ['health'], summary: 'Readiness: the database answers and the bastion is not shutting down' } }, async (_request, reply) => {
      // A load balancer must stop sending new sessions as soon as shutdown begins.
      if (deps.live?.closing) return reply.code(503).send({ status: 'not ready', reason: 'shutting down' });
      try {
        await sql`select 1`.execute(deps.db);
        return { status: 'ready' };
      } catch {
        return reply.code(503).send({ status: 'not ready', reason: 'database unavailable' });
      }
    });
  };
