import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BastionError } from '../../errors.js';
import type { ApiTokens } from '../../identity/api-tokens.js';
import { secretsEqual } from '../../identity/constant-time.js';
import type { UserDirectory, UserView } from '../../identity/users.js';
import type { WebSession, WebSessions } from '../../identity/web-sessions.js';

export const SESSION_COOKIE = 'bastion_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: UserView | null;
    webSession: WebSession | null;
    /** Set when the request authenticated with `Authorization: Bearer` (a CLI token, design 0007). */
    apiToken: { id: string } | null;
  }
  interface FastifyContextConfig {
    /** Reachable without signing in (sign-in, health, the web client's files); every other route needs a signed-in caller. */
    public?: boolean;
    /** Allowed while the user still has to replace a one-time password. */
    allowPasswordChange?: boolean;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Authentication in onRequest (Fastify's lifecycle habit): the session cookie names a server-side
 * session; state-changing requests must also carry that session's CSRF token and, when the browser sends
 * an Origin, come from this origin. Authorization happens next, in preValidation (plugins/authorization.ts).
 */
export function registerAuthentication(app: FastifyInstance, deps: { users: UserDirectory; sessions: WebSessions; allowedOrigins: (request: FastifyRequest) => string[]; apiTokens?: ApiTokens | undefined }): void {
  app.decorateRequest('user', null);
  app.decorateRequest('webSession', null);
  app.decorateRequest('apiToken', null);

  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const config = request.routeOptions.config;
    // What is guarded is decided from the matched route, never from the URL's spelling (issue #12): every
    // route needs a signed-in caller unless it says `public`. A URL that matches no route gets the 404
    // handler, which reveals nothing (the route list is public in /openapi.json).
    const guarded = !config.public && !request.is404;
    const origin = request.headers.origin;
    if (UNSAFE.has(request.method) && origin !== undefined && !deps.allowedOrigins(request).includes(origin))
      throw new BastionError('BST_ERR_ORIGIN', `Cross-origin request from ${origin} refused.`);

    // A bearer token (the CLI) replaces the cookie: browsers never attach one by themselves, so it needs
    // no CSRF token. A bearer that is not valid is refused outright rather than falling back to a cookie.
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const cookie = bearer === undefined ? request.cookies[SESSION_COOKIE] : undefined;
    if (bearer !== undefined) {
      const found = deps.apiTokens ? await deps.apiTokens.lookup(bearer) : undefined;
      const user = found ? await deps.users.getById(found.userId) : undefined;
      if (found && user) {
        request.apiToken = { id: found.id };
        request.user = user;
      } else if (guarded) throw new BastionError('BST_ERR_UNAUTHENTICATED', 'The API token is not valid: it expired or was revoked. Run `bastion login` again.');
    }
    if (cookie) {
      const session = await deps.sessions.lookup(cookie);
      const user = session ? await deps.users.getById(session.userId) : undefined;
      if (session && user) {
        request.webSession = session;
        request.user = user;
      }
    }
    if (!guarded) return;
    if (request.apiToken && request.user) {
      if (request.user.mustChangePassword && !config.allowPasswordChange) throw new BastionError('BST_ERR_PASSWORD_CHANGE_REQUIRED', 'Set a new password before continuing.');
      return;
    }
    if (!request.user || !request.webSession) throw new BastionError('BST_ERR_UNAUTHENTICATED', 'Sign in first: your session has ended or you are not signed in.');
    if (UNSAFE.has(request.method) && !secretsEqual(request.headers['x-csrf-token'], request.webSession.csrfToken))
      throw new BastionError('BST_ERR_CSRF', 'Missing or invalid CSRF token: reload the page and try again.');
    if (request.user.mustChangePassword && !config.allowPasswordChange) throw new BastionError('BST_ERR_PASSWORD_CHANGE_REQUIRED', 'Set a new password before continuing.');
  });

}
