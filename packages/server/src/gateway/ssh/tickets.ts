import { createHash, randomBytes } from 'node:crypto';
import type { SshAuth } from './connect.js';

/** How long a connect ticket may be redeemed after it is issued. */
export const SSH_TICKET_TTL_MS = 30_000;
/** How long an expired ticket is remembered (without credentials) so that it is reported as expired. */
const EXPIRED_MEMORY_MS = 5 * 60_000;

/**
 * What a ticket authenticates with: credentials typed into the form (held in memory only), or a reference
 * to a key vault secret, decrypted only at redemption and handed to ssh2 (design 0003, Security).
 */
export type SshTicketAuth = SshAuth | { type: 'vaultSecret'; secretId: string };

export interface SshTicketTarget {
  userId: string;
  vmId: string;
  host: string;
  port: number;
  username: string;
  auth: SshTicketAuth;
}

export type SshTicketRedeem =
  | { ok: true; target: SshTicketTarget }
  | { ok: false; code: 'ticket_invalid' | 'ticket_expired' };

type Entry = { state: 'live'; target: SshTicketTarget; expiresAt: number; timer: NodeJS.Timeout } | { state: 'expired'; timer: NodeJS.Timeout };

const hashOf = (ticket: string): string => createHash('sha256').update(ticket, 'utf8').digest('hex');

/**
 * Single-use, short-lived connect tickets (design 0003): 256 random bits, base64url; only the SHA-256 is
 * kept, with the target and the credentials, in memory only. Redeeming deletes the entry; an expired entry
 * drops its credentials at once and is remembered a little longer only to answer `ticket_expired`.
 */
export class SshTicketStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs: number = SSH_TICKET_TTL_MS, private readonly now: () => number = () => Date.now()) {}

  issue(target: SshTicketTarget): { ticket: string; expiresAt: Date } {
    const ticket = randomBytes(32).toString('base64url');
    const key = hashOf(ticket);
    const expiresAt = this.now() + this.ttlMs;
    const timer = setTimeout(() => this.expire(key), this.ttlMs);
    timer.unref();
    this.entries.set(key, { state: 'live', target: { ...target }, expiresAt, timer });
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  /** Consumes the ticket (whatever the outcome, except for an unknown one). */
  redeem(ticket: string, userId: string): SshTicketRedeem {
    if (typeof ticket !== 'string' || ticket.length === 0 || ticket.length > 128) return { ok: false, code: 'ticket_invalid' };
    const key = hashOf(ticket);
    const entry = this.entries.get(key);
    if (!entry) return { ok: false, code: 'ticket_invalid' };
    clearTimeout(entry.timer);
    this.entries.delete(key);
    if (entry.state === 'expired' || entry.expiresAt <= this.now()) return { ok: false, code: 'ticket_expired' };
    if (entry.target.userId !== userId) return { ok: false, code: 'ticket_invalid' };
    return { ok: true, target: entry.target };
  }

  get size(): number {
    return this.entries.size;
  }

  /** Forgets every ticket (server shutdown). */
  clear(): void {
    for (const e of this.entries.values()) clearTimeout(e.timer);
    this.entries.clear();
  }

  private expire(key: string): void {
    const entry = this.entries.get(key);
    if (!entry || entry.state !== 'live') return;
    const timer = setTimeout(() => this.entries.delete(key), EXPIRED_MEMORY_MS);
    timer.unref();
    this.entries.set(key, { state: 'expired', timer });
  }
}
