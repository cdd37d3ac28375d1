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

/** Caps on live (issued, unredeemed, unexpired) tickets: per `userId` (a link's principal for visitors), and in all. */
export interface SshTicketCaps {
  perUser: number;
  total: number;
}

export type SshTicketIssue = { ok: true; ticket: string; expiresAt: Date } | { ok: false; full: 'user' | 'store' };

/**
 * Single-use, short-lived connect tickets (design 0003), kept with the target and the credentials in memory
 * only (see `SingleUseTicketStore`): an expired entry drops its credentials at once. With `caps` (the
 * shareable-link store, design 0008) at most so many are live at once, so memory stays bounded.
 */
export class SshTicketStore extends SingleUseTicketStore<SshTicketTarget> {
  constructor(ttlMs: number = SSH_TICKET_TTL_MS, now?: () => number, private readonly caps?: SshTicketCaps) {
    super(ttlMs, now);
  }

  issue(target: SshTicketTarget): { ticket: string; expiresAt: Date } {
    return this.mint(target, target.userId);
  }

  /** Issues unless a cap is reached; checked and counted in one synchronous step (no race between requests). */
  tryIssue(target: SshTicketTarget): SshTicketIssue {
    if (this.caps && this.liveCount(target.userId) >= this.caps.perUser) return { ok: false, full: 'user' };
    if (this.caps && this.liveCount() >= this.caps.total) return { ok: false, full: 'store' };
    return { ok: true, ...this.mint(target, target.userId) };
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
