import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { BastionError } from '../../errors.js';
import type { BastionMetrics } from '../../metrics/bastion-metrics.js';
import { ACTIONS, TENANT_SCOPE } from '../../rbac/index.js';

/** Constant-time comparison of the bearer token (hashes first, so lengths do not leak either). */
function tokenMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) return false;
  const a = createHash('sha256').update(m[1]!).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/**
 * `GET /metrics` in the Prometheus text format (design 0005, "Metrics"). Scrapers cannot sign in, so
 * `metrics.token` in the configuration enables `Authorization: Bearer <token>`; a signed-in user who may
 * read the audit log (an administrator) may always look. Without either: 401.
 */
export const metricsRoutes =
  (deps: { metrics: BastionMetrics; token?: string | undefined }): FastifyPluginAsync =>
  async (app) => {
    app.get('/metrics', { config: { public: true }, schema: { tags: ['health'], summary: 'Prometheus metrics (bearer token from metrics.token, or an admin session)' } }, async (request, reply) => {
      const byToken = deps.token !== undefined && tokenMatches(request, deps.token);
      const byAdmin = !byToken && request.user !== null && !request.user.mustChangePassword && (await request.grants()).allows(ACTIONS.auditEvents.read, TENANT_SCOPE);
      if (!byToken && !byAdmin) {
        if (request.user) throw new BastionError('BST_ERR_FORBIDDEN', 'Reading metrics needs Bastion.Audit/events/read at / (or the metrics bearer token).');
        throw new BastionError('BST_ERR_UNAUTHENTICATED', 'Metrics need a bearer token (metrics.token) or an administrator session.', { headers: { 'WWW-Authenticate': 'Bearer realm="bastion-metrics"' } });
      }
      return reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store').send(deps.metrics.render());
    });
  };
