import { SingleUseTicketStore } from '../single-use-tickets.js';
import type { SshAuth } from './connect.js';

/** How long a connect ticket may be redeemed after it is issued. */
export const SSH_TICKET_TTL_MS = 30_000;

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

/**
 * Single-use, short-lived connect tickets (design 0003), kept with the target and the credentials in memory
 * only (see `SingleUseTicketStore`): an expired entry drops its credentials at once.
 */
export class SshTicketStore extends SingleUseTicketStore<SshTicketTarget> {
  constructor(ttlMs: number = SSH_TICKET_TTL_MS, now?: () => number) {
    super(ttlMs, now);
  }

  issue(target: SshTicketTarget): { ticket: string; expiresAt: Date } {
    return this.mint(target);
  }

  /** Consumes the ticket (whatever the outcome, except for an unknown one). */
  redeem(ticket: string, userId: string): SshTicketRedeem {
    const taken = this.take(ticket);
    if (taken.state === 'unknown') return { ok: false, code: 'ticket_invalid' };
    if (taken.state === 'expired') return { ok: false, code: 'ticket_expired' };
    if (taken.target.userId !== userId) return { ok: false, code: 'ticket_invalid' };
    return { ok: true, target: taken.target };
  }
}
