import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.js';
import { BastionError } from '../../errors.js';
import type { LoginRateLimiter } from '../../identity/rate-limiter.js';
import type { UserDirectory, UserView } from '../../identity/users.js';

export interface PasswordSignInDeps {
  users: UserDirectory;
  audit: AuditLog;
  limiter: LoginRateLimiter;
}

/** Who is signing in, as every sign-in audit event records it. */
export interface SignInAttempt {
  actor: string;
  clientIp: string;
  userAgent: string | null;
  target: string;
}

const REFUSALS = {
  portal: { rateLimited: 'Sign-in refused: too many failed attempts.', failed: 'Invalid username or password.' },
  cli: { rateLimited: 'CLI sign-in refused: too many failed attempts.', failed: 'Invalid username or password (CLI sign-in).' },
} as const;

/**
 * The one password check behind the portal's sign-in and the CLI's token issue (the CLI is not a way
 * around the rate limit): the limiter's keys are the user and the client IP; a refusal is audited and
 * thrown (BST_ERR_LOGIN_RATE_LIMITED with retry-after, or BST_ERR_LOGIN_FAILED); success clears the
 * user's failures. The caller audits its own success event with `who`.
 */
export async function verifyPasswordSignIn(deps: PasswordSignInDeps, request: FastifyRequest, username: string, password: string, channel: keyof typeof REFUSALS): Promise<{ user: UserView; who: SignInAttempt }> {
  const who: SignInAttempt = { actor: username, clientIp: request.ip, userAgent: request.headers['user-agent'] ?? null, target: username };
  const keys = [`user:${username.toLowerCase()}`, `ip:${request.ip}`];
  const waitMs = deps.limiter.retryAfterMs(keys);
  if (waitMs > 0) {
    const minutes = Math.ceil(waitMs / 60_000);
    await deps.audit.write({ ...who, type: 'user.login.rate_limited', outcome: 'denied', message: REFUSALS[channel].rateLimited });
    throw new BastionError('BST_ERR_LOGIN_RATE_LIMITED', `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
      headers: { 'retry-after': String(Math.ceil(waitMs / 1000)) },
    });
  }
  const user = await deps.users.verifyLogin(username, password);
  if (!user) {
    deps.limiter.recordFailure(keys);
    await deps.audit.write({ ...who, type: 'user.login.failed', outcome: 'failure', message: REFUSALS[channel].failed });
    throw new BastionError('BST_ERR_LOGIN_FAILED');
  }
  deps.limiter.clear(keys[0]!);
  return { user, who };
}
