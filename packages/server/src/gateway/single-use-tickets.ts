import { createHash, randomBytes } from 'node:crypto';

/** How long an expired ticket is remembered (without its target) so that it is reported as expired. */
const EXPIRED_MEMORY_MS = 5 * 60_000;

export type TicketTake<T> = { state: 'live'; target: T } | { state: 'expired' } | { state: 'unknown' };

type Entry<T> = { state: 'live'; target: T; expiresAt: number; timer: NodeJS.Timeout } | { state: 'expired'; timer: NodeJS.Timeout };

const hashOf = (ticket: string): string => createHash('sha256').update(ticket, 'utf8').digest('hex');

/**
 * Single-use, short-lived tickets (designs 0003 and 0004): 256 random bits, base64url; only the SHA-256 is
 * kept, with the target, in memory only (a restart revokes every ticket). Taking a known ticket deletes it,
 * whatever the caller then decides; an expired entry drops its target at once and is remembered a little
 * longer only so that it is reported as expired. SSH connect tickets and RDP association tokens extend it
 * with their own issue/redeem on top.
 */
export abstract class SingleUseTicketStore<T extends object> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly ttlMs: number, private readonly now: () => number = () => Date.now()) {}

  protected mint(target: T): { ticket: string; expiresAt: Date } {
    const ticket = randomBytes(32).toString('base64url');
    const key = hashOf(ticket);
    const expiresAt = this.now() + this.ttlMs;
    const timer = setTimeout(() => this.expire(key), this.ttlMs);
    timer.unref();
    this.entries.set(key, { state: 'live', target: { ...target }, expiresAt, timer });
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  /** Consumes the ticket if it is known; malformed input is simply `unknown`. */
  protected take(ticket: string): TicketTake<T> {
    if (typeof ticket !== 'string' || ticket.length === 0 || ticket.length > 128) return { state: 'unknown' };
    const key = hashOf(ticket);
    const entry = this.entries.get(key);
    if (!entry) return { state: 'unknown' };
    clearTimeout(entry.timer);
    this.entries.delete(key);
    if (entry.state === 'expired' || entry.expiresAt <= this.now()) return { state: 'expired' };
    return { state: 'live', target: entry.target };
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
