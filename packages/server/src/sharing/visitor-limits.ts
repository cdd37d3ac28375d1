import { BastionError } from '../errors.js';
import { SlidingWindow, placeOf } from '../identity/rate-limiter-window.js';

/**
 * The limits on shareable-link visitors (design 0008). Fixed numbers, not configuration: a visitor needs
 * a handful of each, an attacker thousands.
 */
export const LINK_VISITOR_LIMITS = {
  /** Unknown, revoked or expired secrets per client address (GET and POST), per 15 minutes. */
  badSecretsPerIp: { limit: 20, windowMs: 15 * 60_000 },
  /** Connect-ticket requests per client address, per 5 minutes (each ticket is one sign-in try at the VM). */
  ticketsPerIp: { limit: 10, windowMs: 5 * 60_000 },
  /** Connect tickets issued per link (all its visitors together), per 5 minutes. */
  ticketsPerLink: { limit: 30, windowMs: 5 * 60_000 },
  /** Tickets issued and not yet used or expired (30 s each): per link, and for all links together. */
  liveTicketsPerLink: 3,
  liveTicketsTotal: 200,
} as const;

/** What was limited, for the 429's message and the audit event. */
export type VisitorLimit = 'bad-secrets-ip' | 'tickets-ip' | 'tickets-link' | 'live-tickets-link' | 'live-tickets-total';

const MESSAGES: Record<VisitorLimit, string> = {
  'bad-secrets-ip': 'Too many requests for links that do not exist or are no longer valid from your address.',
  'tickets-ip': 'Too many connection attempts from your address.',
  'tickets-link': 'Too many connection attempts through this link.',
  'live-tickets-link': 'Too many connections through this link are being opened at once.',
  'live-tickets-total': 'Too many shared-link connections are being opened at once.',
};

/** How a refusal reads to the visitor: 429 BST_ERR_RATE_LIMITED with Retry-After. */
export class VisitorLimited extends BastionError {
  constructor(
    readonly limit: VisitorLimit,
    /** The address (IPv4, IPv6 /64) or link ID that reached the limit; `*` for all links together. */
    readonly key: string,
    readonly retryAfterMs: number,
    /** First refusal of its kind for this key in a minute: the one the audit records. */
    readonly report: boolean,
  ) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super('BST_ERR_RATE_LIMITED', `${MESSAGES[limit]} Try again in ${seconds < 60 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`}.`, { headers: { 'retry-after': String(seconds) } });
  }
}

/**
 * One per app (the share routes' plugin): every check counts in the same synchronous step as it decides,
 * so parallel requests cannot all pass before the first is counted. In memory, per instance.
 */
export class LinkVisitorLimits {
  private readonly badSecrets: SlidingWindow;
  private readonly ticketsByIp: SlidingWindow;
  private readonly ticketsByLink: SlidingWindow;
  /** One audit event per (limit, key) per minute: a flood of 429s is not a flood of audit rows. */
  private readonly reported: SlidingWindow;

  constructor(private readonly now: () => number = Date.now) {
    const L = LINK_VISITOR_LIMITS;
    this.badSecrets = new SlidingWindow(L.badSecretsPerIp.limit, L.badSecretsPerIp.windowMs, now);
    this.ticketsByIp = new SlidingWindow(L.ticketsPerIp.limit, L.ticketsPerIp.windowMs, now);
    this.ticketsByLink = new SlidingWindow(L.ticketsPerLink.limit, L.ticketsPerLink.windowMs, now);
    this.reported = new SlidingWindow(1, 60_000, now, 10_000);
  }

  /**
   * Runs a secret's lookup counted as a bad secret from this address until it turns out good; refuses
   * (before any lookup) an address that already tried too many. Only a 410 (no such usable link) counts;
   * any other error is not the visitor's guess.
   */
  async lookup<T>(ip: string, find: () => Promise<T>): Promise<T> {
    const place = placeOf(ip);
    const hit = this.badSecrets.take(place);
    if (!hit) throw this.refusal('bad-secrets-ip', place, this.badSecrets.waitMs(place));
    try {
      const found = await find();
      this.badSecrets.release(place, hit);
      return found;
    } catch (err) {
      if (!(err instanceof BastionError && err.code === 'BST_ERR_LINK_INVALID')) this.badSecrets.release(place, hit);
      throw err;
    }
  }

  /** A ticket request from this address (counted whatever comes of it). */
  ticketRequest(ip: string): void {
    const place = placeOf(ip);
    if (!this.ticketsByIp.take(place)) throw this.refusal('tickets-ip', place, this.ticketsByIp.waitMs(place));
  }

  /** A ticket request through this (valid) link. */
  ticketForLink(linkId: string): void {
    if (!this.ticketsByLink.take(linkId)) throw this.refusal('tickets-link', linkId, this.ticketsByLink.waitMs(linkId));
  }

  /** The ticket store is full for the link or in all: try again once tickets are used or expire. */
  liveTicketsFull(full: 'user' | 'store', linkId: string, ttlMs: number): VisitorLimited {
    return this.refusal(full === 'user' ? 'live-tickets-link' : 'live-tickets-total', full === 'user' ? linkId : '*', ttlMs);
  }

  private refusal(limit: VisitorLimit, key: string, waitMs: number): VisitorLimited {
    return new VisitorLimited(limit, key, waitMs, this.reported.take(`${limit}\u0000${key}`) !== undefined);
  }
}
