import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.js';
import { ResourceIdError } from '../../../../protocol/src/resource-id.js';
import { BastionError, validationError } from '../../errors.js';
import { loadPrincipal, normalizeScope, type AccessChecker, type GrantSet, type Principal } from '../../rbac/index.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { requestWho } from '../request-who.js';

/**
 * How a route is authorized. Every non-public /api route must declare one (the hook fails closed and a
 * test enumerates the routes):
 * - resource: the action on the resource the request names (from its URL);
 * - somewhere: the caller holds the action at some scope; the handler then filters or checks precisely
 *   with `request.authorize()` (lists, role assignments whose scope is in the body);
 * - self: only the signed-in user's own data (sign-in state, password change).
 */
export type AccessRule =
  | { kind: 'resource'; action: string; resource: (request: FastifyRequest) => string }
  | { kind: 'somewhere'; action: string }
  | { kind: 'self' };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
  }
  interface FastifyRequest {
    /** The caller's role assignments, loaded once per request. */
    grants(): Promise<GrantSet>;
    /** Throws 403 (and audits the denial) unless the caller may do `action` on `resourceId`. */
    authorize(action: string, resourceId: string): Promise<void>;
  }
}

const lastSegments = (id: string): string => (id === '/' ? 'the whole bastion (/)' : id.split('/').slice(-2).join('/'));

export function registerAuthorization(app: FastifyInstance, deps: { db: Kysely<Database>; checker: AccessChecker; audit: AuditLog }): void {
  const cache = new WeakMap<FastifyRequest, Promise<GrantSet>>();
  const principalOf = async (request: FastifyRequest): Promise<Principal> => loadPrincipal(deps.db, request.user!.id);

  app.decorateRequest('grants', function grants(this: FastifyRequest): Promise<GrantSet> {
    let g = cache.get(this);
    if (!g) {
      g = principalOf(this).then((p) => deps.checker.grantsOf(p));
      cache.set(this, g);
    }
    return g;
  });

  const deny = async (request: FastifyRequest, action: string, target: string, reason: string, shown?: string): Promise<never> => {
    await deps.audit.write({ type: 'access.denied', outcome: 'denied', ...requestWho(request), target, message: reason, details: { action, method: request.method, url: request.url.split('?')[0] } });
    throw new BastionError('BST_ERR_FORBIDDEN', shown ?? `You do not have permission for ${action} on ${lastSegments(target)}.`);
  };

  app.decorateRequest('authorize', async function authorize(this: FastifyRequest, action: string, resourceId: string): Promise<void> {
    const decision = (await this.grants()).check(action, resourceId);
    if (!decision.allowed) await deny(this, action, resourceId, decision.reason);
  });

  // Authorization runs before body validation (not in preHandler as the style guide says) so that a
  // caller without access learns nothing from validation messages, and so every route answers 403 alike.
  app.addHook('preValidation', async (request) => {
    const config = request.routeOptions.config;
    // An unknown URL is no route: the not-found handler answers 404 (the route list is public in /openapi.json).
    // Every other route is guarded unless it says `public`, decided from the matched route, not the URL.
    if (config.public || request.is404) return;
    // Authentication (onRequest) refuses guarded routes without a caller; should it ever not, fail closed.
    if (!request.user) throw new BastionError('BST_ERR_UNAUTHENTICATED', 'Sign in first: your session has ended or you are not signed in.');
    const rule = config.access;
    if (!rule) {
      request.log.error({ url: request.routeOptions.url }, 'route has no access rule');
      throw new BastionError('BST_ERR_FORBIDDEN', 'This route declares no access rule, so it is refused.');
    }
    if (rule.kind === 'self') return;
    if (rule.kind === 'resource') {
      const id = rule.resource(request);
      // A malformed name in the URL: say so (400) to a caller who may do this somewhere, 403 to anyone else.
      if ((await request.grants()).allowsSomewhere(rule.action)) {
        try {
          normalizeScope(id);
        } catch (err) {
          if (err instanceof ResourceIdError) throw validationError(err.message);
          throw err;
        }
      }
      return request.authorize(rule.action, id);
    }
    if (!(await request.grants()).allowsSomewhere(rule.action)) await deny(
        request,
        rule.action,
        '/',
        `Denied: no role assignment of the user or their groups grants ${rule.action} at any scope.`,
        `You do not have permission for this: none of your role assignments allows ${rule.action}. Ask an administrator for a role (such as Reader) on the resources you need.`,
      );
  });
}
