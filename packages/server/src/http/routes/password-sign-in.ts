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

/** What the wait is, in words: seconds under a minute (the account's first delays), else minutes. */
const waitInWords = (ms: number): string => {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(ms / 60_000);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
};

const LIMIT_DETAILS = {
  'user-ip': 'too many failures for this username from this address',
  ip: 'too many failures from this address',
  account: 'too many failures for this username from unknown addresses (growing delay)',
} as const;

/**
 * The one password check behind the portal's sign-in and the CLI's token issue (the CLI is not a way
 * around the limits, design 0008): the limiter counts the attempt before the password is checked, in
 * the same tick as its own check, so parallel attempts cannot all get through. A refusal is audited and
 * thrown (BST_ERR_LOGIN_RATE_LIMITED with Retry-After, or BST_ERR_LOGIN_FAILED); a success takes the
 * attempt back and makes the client's address a known place for the user. The caller audits its own
 * success event with `who`.
 */
export async function verifyPasswordSignIn(deps: PasswordSignInDeps, request: FastifyRequest, username: string, password: string, channel: keyof typeof REFUSALS): Promise<{ user: UserView; who: SignInAttempt }> {
  const who: SignInAttempt = { actor: username, clientIp: request.ip, userAgent: request.headers['user-agent'] ?? null, target: username };
  const gate = deps.limiter.begin(username, request.ip);
  if (!gate.ok) {
    // Once per limit, user and address a minute: a flood of 429s is not a flood of audit rows.
    if (gate.report) await deps.audit.write({ ...who, type: 'user.login.rate_limited', outcome: 'denied', message: `${REFUSALS[channel].rateLimited} (${LIMIT_DETAILS[gate.limit]}; repeats within a minute are not recorded)`, details: { limit: gate.limit, retryAfterSeconds: Math.ceil(gate.retryAfterMs / 1000) } });
    throw new BastionError('BST_ERR_LOGIN_RATE_LIMITED', `Too many failed sign-in attempts. Try again in ${waitInWords(gate.retryAfterMs)}.`, {
      headers: { 'retry-after': String(Math.ceil(gate.retryAfterMs / 1000)) },
    });
  }
  let user: UserView | null;
  try {
    user = await deps.users.verifyLogin(username, password);
  } catch (err) {
    if (err instanceof BastionError && err.code === 'BST_ERR_ACCOUNT_DISABLED') {
      // The right password for a disabled account: counted and audited like a failure, but told plainly.
      gate.attempt.failed();
      await deps.audit.write({ ...who, type: 'user.login.failed', outcome: 'failure', message: 'Sign-in refused: the account is disabled.' });
      throw err;
    }
    gate.attempt.abandoned(); // the check broke (e.g. the database): not the client's failure
    throw err;
  }
  if (!user) {
    gate.attempt.failed();
    await deps.audit.write({ ...who, type: 'user.login.failed', outcome: 'failure', message: REFUSALS[channel].failed });
    throw new BastionError('BST_ERR_LOGIN_FAILED');
  }
  gate.attempt.succeeded();
  return { user, who };
}
