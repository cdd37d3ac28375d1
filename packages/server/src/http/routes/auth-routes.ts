import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { secretsEqual } from '../../identity/constant-time.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { BastionError, validationError } from '../../errors.js';
import type { LoginRateLimiter } from '../../identity/rate-limiter.js';
import type { UserDirectory } from '../../identity/users.js';
import type { ApiTokens } from '../../identity/api-tokens.js';
import type { WebSessions } from '../../identity/web-sessions.js';
import { SESSION_COOKIE } from '../plugins/authentication.js';
import type { Kysely } from 'kysely';
import { ACTIONS, TENANT_SCOPE, loadPrincipal, normalizeScope, type AccessChecker } from '../../rbac/index.js';
import type { UserView } from '../../identity/users.js';
import type { Database } from '../../storage/schema.js';
import { verifyPasswordSignIn } from './password-sign-in.js';
import { UserSchema } from './schemas.js';
import { requestWho } from '../request-who.js';

export interface AuthRouteDeps {
  users: UserDirectory;
  sessions: WebSessions;
  audit: AuditLog;
  limiter: LoginRateLimiter;
  sessionTtlMs: number;
  db: Kysely<Database>;
  checker: AccessChecker;
  /** CLI tokens (design 0007): a password change revokes them. */
  apiTokens?: ApiTokens | undefined;
}

const AuthSession = Type.Object({ user: UserSchema, csrfToken: Type.String() });
const cookieOptions = (maxAgeSeconds: number) => ({ httpOnly: true, secure: true, sameSite: 'strict' as const, path: '/', maxAge: maxAgeSeconds });

/** The user as the portal sees them: what their roles let them manage decides the navigation. */
async function withPermissions(deps: AuthRouteDeps, user: UserView) {
  const grants = await deps.checker.grantsOf(await loadPrincipal(deps.db, user.id));
  const permissions = {
    manageAccess: grants.allowsSomewhere(ACTIONS.roleAssignments.write),
    manageIdentity: grants.allows(ACTIONS.users.write, TENANT_SCOPE),
    readAudit: grants.allows(ACTIONS.auditEvents.read, TENANT_SCOPE),
    viewSessions: grants.allowsSomewhere(ACTIONS.bastionHosts.getActiveSessions),
    readRecordings: grants.allowsSomewhere(ACTIONS.recordings.playback),
  };
  return { ...user, isAdmin: permissions.manageIdentity, permissions };
}

/** Sign-in, sign-out, who-am-I and password change. */
export const authRoutes =
  (deps: AuthRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/auth/login',
      {
        config: { public: true },
        schema: {
          tags: ['identity'],
          summary: 'Sign in with a username and password',
          body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 128 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
          response: { 200: AuthSession },
        },
      },
      async (request, reply) => {
        const { user, who } = await verifyPasswordSignIn(deps, request, request.body.username, request.body.password, 'portal');
        // A session that exists has its sign-in event: both in one transaction (design 0009).
        const { cookie, session } = await deps.audit.change(async (tx) => {
          const made = await deps.sessions.in(tx).create(user.id, request.ip, request.headers['user-agent'] ?? '');
          await deps.audit.writeIn(tx, { ...who, actor: user.username, type: 'user.login', outcome: 'success', message: 'Signed in.' });
          return made;
        });
        reply.setCookie(SESSION_COOKIE, cookie, cookieOptions(Math.floor(deps.sessionTtlMs / 1000)));
        return { user: await withPermissions(deps, user), csrfToken: session.csrfToken };
      },
    );

    app.get(
      '/api/auth/me',
      { config: { allowPasswordChange: true, access: { kind: 'self' } }, schema: { tags: ['identity'], summary: 'The signed-in user and the CSRF token', response: { 200: AuthSession } } },
      async (request) => ({ user: await withPermissions(deps, request.user!), csrfToken: request.webSession?.csrfToken ?? '' }),
    );

    app.get(
      '/api/auth/permissions',
      {
        config: { access: { kind: 'self' } },
        schema: {
          tags: ['identity'],
          summary: 'What the signed-in user may do at one scope (the portal enables its buttons from this)',
          querystring: Type.Object({ scope: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
          response: { 200: Type.Object({ scope: Type.String(), manageAccess: Type.Boolean() }) },
        },
      },
      async (request) => {
        let scope: string;
        try {
          scope = normalizeScope(request.query.scope);
        } catch (err) {
          throw validationError(`scope: ${(err as Error).message}`);
        }
        return { scope, manageAccess: (await request.grants()).allows(ACTIONS.roleAssignments.write, scope) };
      },
    );

    app.post(
      '/api/auth/logout',
      { config: { public: true }, schema: { tags: ['identity'], summary: 'Sign out' } },
      async (request, reply) => {
        // Public (a stale cookie can still be cleared), but a live session signs out only with its CSRF token.
        if (request.webSession && !secretsEqual(request.headers['x-csrf-token'], request.webSession.csrfToken))
          throw new BastionError('BST_ERR_CSRF', 'Missing or invalid CSRF token: reload the page and try again.');
        const cookie = request.cookies[SESSION_COOKIE];
        const user = request.user;
        await deps.audit.change(async (tx) => {
          if (cookie) await deps.sessions.in(tx).destroy(cookie);
          if (user) await deps.audit.writeIn(tx, { type: 'user.logout', outcome: 'success', ...requestWho(request, user.username), target: user.username, message: 'Signed out.' });
        });
        reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/auth/password',
      {
        config: { allowPasswordChange: true, access: { kind: 'self' } },
        schema: {
          tags: ['identity'],
          summary: 'Change the signed-in user’s password',
          body: Type.Object({ currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
        },
      },
      async (request, reply) => {
        const user = request.user!;
        // Checked and hashed first (scrypt); then the new hash, the sign-outs and the event in one transaction.
        const hash = await deps.users.checkPasswordChange(user.id, request.body.currentPassword, request.body.newPassword);
        await deps.audit.change(async (tx) => {
          await deps.users.in(tx).setPasswordHash(user.id, hash);
          await deps.sessions.in(tx).destroyAllFor(user.id, request.cookies[SESSION_COOKIE]);
          // A new password usually means the old one may be known: CLI tokens issued with it go too.
          await deps.apiTokens?.in(tx).revokeAllFor(user.id, request.apiToken?.id);
          await deps.audit.writeIn(tx, { type: 'user.password.changed', outcome: 'success', ...requestWho(request, user.username), target: user.username, message: 'Password changed; other sessions signed out.' });
        });
        return reply.code(204).send();
      },
    );
  };
