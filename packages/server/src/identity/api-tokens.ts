import type { ApiToken } from '../../../protocol/src/api-types.js';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';

/** Row shape of migration 0008 (a type alias: `withTables` wants one). */
export type CliTokensTable = {
  id: string;
  token_hash: string;
  user_id: string;
  name: string;
  client_ip: string;
  user_agent: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
};
type Tables = { cli_tokens: CliTokensTable };

/** What the API shows of a token: never the secret, which exists only in the CLI's credentials file. */
/** What the API shows of a token (never its secret): the protocol's contract. */
export type ApiTokenView = ApiToken;

/** Default lifetime of a CLI token; `bastion login --days` may ask for less or more, up to the maximum. */
export const API_TOKEN_DEFAULT_DAYS = 30;
export const API_TOKEN_MAX_DAYS = 365;
/** A recognisable prefix (secret scanners can match it) before 256 random bits. */
export const API_TOKEN_PREFIX = 'bst_';
/** last_used_at is refreshed at most this often per token, so a busy CLI does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

const view = (r: CliTokensTable): ApiTokenView => ({ id: r.id, name: r.name, clientIp: r.client_ip, userAgent: r.user_agent, createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at });

/**
 * Revocable, expiring bearer tokens for the CLI (design 0007). The table holds only the SHA-256 of each
 * token: like the session cookie, a leaked database yields nothing usable. Lookup is by hash (an index),
 * so no secret is compared in user code.
 */
export class ApiTokens {
  private readonly db: Kysely<Database & Tables>;

  constructor(db: Kysely<Database>, private readonly now: () => Date = () => new Date()) {
    this.db = db.withTables<Tables>();
  }

  /** The same store over a caller's transaction (design 0009: the change and its audit event commit together). */
  in(tx: Kysely<Database>): ApiTokens {
    return new ApiTokens(tx, this.now);
  }

  async issue(input: { userId: string; name: string; clientIp: string; userAgent: string; days?: number | undefined }): Promise<{ token: string; view: ApiTokenView }> {
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const days = Math.min(Math.max(input.days ?? API_TOKEN_DEFAULT_DAYS, 1), API_TOKEN_MAX_DAYS);
    const now = this.now();
    const row: CliTokensTable = {
      id: randomUUID(),
      token_hash: sha256(token),
      user_id: input.userId,
      name: input.name.slice(0, 128),
      client_ip: input.clientIp,
      user_agent: input.userAgent.slice(0, 512),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + days * 86_400_000).toISOString(),
      last_used_at: null,
    };
    await this.db.insertInto('cli_tokens').values(row).execute();
    return { token, view: view(row) };
  }

  /** The token's owner and id, or undefined for an unknown or expired token (an expired one is deleted). */
  async lookup(token: string): Promise<{ userId: string; id: string } | undefined> {
    if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 100) return undefined;
    const row = await this.db.selectFrom('cli_tokens').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
    if (!row) return undefined;
    const now = this.now();
    if (row.expires_at <= now.toISOString()) {
      await this.db.deleteFrom('cli_tokens').where('id', '=', row.id).execute();
      return undefined;
    }
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_EVERY_MS)
      await this.db.updateTable('cli_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
    return { userId: row.user_id, id: row.id };
  }

  async list(userId: string): Promise<ApiTokenView[]> {
    const rows = await this.db.selectFrom('cli_tokens').selectAll().where('user_id', '=', userId).where('expires_at', '>', this.now().toISOString()).orderBy('created_at', 'desc').execute();
    return rows.map(view);
  }

  /** Revokes one of the user's tokens; false when there is no such token of theirs. */
  async revoke(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('cli_tokens').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Every token of a user but `exceptId` (password change). */
  async revokeAllFor(userId: string, exceptId?: string): Promise<void> {
    let q = this.db.deleteFrom('cli_tokens').where('user_id', '=', userId);
    if (exceptId) q = q.where('id', '!=', exceptId);
    await q.execute();
  }
}
