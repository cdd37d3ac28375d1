import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const token = (): string => randomBytes(32).toString('base64url');

export interface WebSession {
  userId: string;
  csrfToken: string;
  expiresAt: string;
}

/**
 * Server-side sessions: the cookie holds a random 256-bit value; the table holds only its SHA-256.
 * Each session carries its own CSRF token (sent back by the client in X-CSRF-Token).
 */
export class WebSessions {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs: number,
  ) {}

  /** The same sessions over a caller's transaction (design 0009: the change and its audit event commit together). */
  in(tx: Kysely<Database>): WebSessions {
    return new WebSessions(tx, this.ttlMs);
  }

  async create(userId: string, clientIp: string, userAgent: string): Promise<{ cookie: string; session: WebSession }> {
    const cookie = token();
    const now = new Date();
    const session: WebSession = { userId, csrfToken: token(), expiresAt: new Date(now.getTime() + this.ttlMs).toISOString() };
    await this.db
      .insertInto('web_sessions')
      .values({
        id_hash: sha256(cookie),
        user_id: userId,
        csrf_token: session.csrfToken,
        client_ip: clientIp,
        user_agent: userAgent.slice(0, 512),
        created_at: now.toISOString(),
        expires_at: session.expiresAt,
        last_seen_at: now.toISOString(),
      })
      .execute();
    return { cookie, session };
  }

  async lookup(cookie: string): Promise<WebSession | undefined> {
    if (cookie.length > 100) return undefined;
    const row = await this.db.selectFrom('web_sessions').selectAll().where('id_hash', '=', sha256(cookie)).executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_at <= new Date().toISOString()) {
      await this.db.deleteFrom('web_sessions').where('id_hash', '=', row.id_hash).execute();
      return undefined;
    }
    return { userId: row.user_id, csrfToken: row.csrf_token, expiresAt: row.expires_at };
  }

  async destroy(cookie: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('id_hash', '=', sha256(cookie)).execute();
  }

  /** Signs a user out everywhere (after a password change, or when the user is deleted). */
  async destroyAllFor(userId: string, exceptCookie?: string): Promise<void> {
    let q = this.db.deleteFrom('web_sessions').where('user_id', '=', userId);
    if (exceptCookie) q = q.where('id_hash', '!=', sha256(exceptCookie));
    await q.execute();
  }

  async pruneExpired(): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('expires_at', '<=', new Date().toISOString()).execute();
  }
}
