import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AuditLog } from '../../audit/audit-log.js';
import { BastionError, notFound } from '../../errors.js';
import { API_TOKEN_MAX_DAYS, type ApiTokens } from '../../identity/api-tokens.js';
import type { LoginRateLimiter } from '../../identity/rate-limiter.js';
import type { UserDirectory } from '../../identity/users.js';
import { verifyPasswordSignIn } from './password-sign-in.js';
import { requestWho } from '../request-who.js';

export interface ApiTokenRouteDeps {
  users: UserDirectory;
  audit: AuditLog;
  limiter: LoginRateLimiter;
  apiTokens: ApiTokens;
}

const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  clientIp: Type.String(),
  userAgent: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});

/**
 * CLI sign-in (design 0007): a username and password buy a revocable, expiring bearer token. Same rate
 * limit and audit as the portal's sign-in; the token is shown once, in this answer.
 */
export const apiTokenRoutes =
  (deps: ApiTokenRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/auth/tokens',
      {
        config: { public: true },
        schema: {
          tags: ['identity'],
          summary: 'Sign in from the CLI: issue an API token (Authorization: Bearer) for this user',
          body: Type.Object(
            {
              username: Type.String({ minLength: 1, maxLength: 128 }),
              password: Type.String({ minLength: 1, maxLength: 1024 }),
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
              days: Type.Optional(Type.Integer({ minimum: 1, maximum: API_TOKEN_MAX_DAYS })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        // The portal's limiter and keys: the CLI is not a way around the sign-in rate limit.
        const { user, who } = await verifyPasswordSignIn(deps, request, request.body.username, request.body.password, 'cli');
        // A one-time password must be replaced in the portal first: the CLI has no password-change flow.
        if (user.mustChangePassword) throw new BastionError('BST_ERR_PASSWORD_CHANGE_REQUIRED', 'Sign in to the portal once and set a new password, then run `bastion login` again.');
        // A token that works has its audit event: both in one transaction (design 0009).
        const { token, view } = await deps.audit.change(async (tx) => {
          const issued = await deps.apiTokens.in(tx).issue({ userId: user.id, name: request.body.name ?? 'bastion CLI', clientIp: request.ip, userAgent: request.headers['user-agent'] ?? '', days: request.body.days });
          await deps.audit.writeIn(tx, { ...who, actor: user.username, type: 'user.token.issued', outcome: 'success', message: `API token "${issued.view.name}" issued (expires ${issued.view.expiresAt}).`, details: { tokenId: issued.view.id, expiresAt: issued.view.expiresAt } });
          return issued;
        });
        return reply.code(201).send({ token, ...view, user: { id: user.id, username: user.username } });
      },
    );

    app.get(
      '/api/auth/tokens',
      { config: { access: { kind: 'self' } }, schema: { tags: ['identity'], summary: "The signed-in user's API tokens (never their secrets)", response: { 200: Type.Object({ value: Type.Array(TokenView), current: Type.Union([Type.String(), Type.Null()]) }) } } },
      async (request) => ({ value: await deps.apiTokens.list(request.user!.id), current: request.apiToken?.id ?? null }),
    );

    app.delete(
      '/api/auth/tokens/:id',
      {
        config: { access: { kind: 'self' } },
        schema: { tags: ['identity'], summary: "Revoke one of the signed-in user's API tokens ('current': the one this request uses)", params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }) },
      },
      async (request, reply) => {
        const id = request.params.id === 'current' ? request.apiToken?.id : request.params.id;
        if (!id) throw notFound(`API token ${request.params.id}`);
        await deps.audit.change(async (tx) => {
          if (!(await deps.apiTokens.in(tx).revoke(request.user!.id, id))) throw notFound(`API token ${request.params.id}`);
          await deps.audit.writeIn(tx, { type: 'user.token.revoked', outcome: 'success', ...requestWho(request), target: request.user!.username, message: 'API token revoked.', details: { tokenId: id } });
        });
        return reply.code(204).send();
      },
    );
  };
