import { SingleUseTicketStore } from '../single-use-tickets.js';

/** How long an association token may be used after it is issued. */
export const RDP_TOKEN_TTL_MS = 30_000;

export interface RdpTokenTarget {
  userId: string;
  vmId: string;
  /** The VM NIC's private IP and the port: the only place the relay may dial for this token. */
  host: string;
  port: number;
}

export type RdpTokenRedeem =
  | { ok: true; target: RdpTokenTarget }
  | { ok: false; reason: 'invalid' | 'expired' | 'other_user' | 'other_destination'; target?: RdpTokenTarget };

export const destinationOf = (t: { host: string; port: number }): string => `${t.host}:${t.port}`;

/**
 * RDCleanPath association tokens (design 0004), the same scheme as SSH connect tickets
 * (`SingleUseTicketStore`): single use (any redeem attempt of a known token consumes it, so a token shown
 * to the wrong place is dead); 30 s. Stored rather than signed: single use needs server state anyway, and
 * a restart revoking every token is what we want.
 */
export class RdpTokenStore extends SingleUseTicketStore<RdpTokenTarget> {
  constructor(ttlMs: number = RDP_TOKEN_TTL_MS, now?: () => number) {
    super(ttlMs, now);
  }

  issue(target: RdpTokenTarget): { token: string; expiresAt: Date } {
    const { ticket, expiresAt } = this.mint(target);
    return { token: ticket, expiresAt };
  }

  /** Consumes the token; it is good only for `userId` and exactly `destination` ("ip:port"). */
  redeem(token: string, userId: string, destination: string): RdpTokenRedeem {
    const taken = this.take(token);
    if (taken.state === 'unknown') return { ok: false, reason: 'invalid' };
    if (taken.state === 'expired') return { ok: false, reason: 'expired' };
    const { target } = taken;
    if (target.userId !== userId) return { ok: false, reason: 'other_user', target };
    if (destinationOf(target) !== destination) return { ok: false, reason: 'other_destination', target };
    return { ok: true, target };
  }
}
