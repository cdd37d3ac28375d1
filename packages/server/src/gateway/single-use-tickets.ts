import { createHash, randomBytes } from 'node:crypto';

/** How long an expired ticket is remembered (without its target) so that it is reported as expired. */
const EXPIRED_MEMORY_MS = 5 * 60_000;
/** Expired markers kept at most: past it the oldest go (reported as unknown instead of expired). */
const MAX_EXPIRED_MARKERS = 10_000;

export type TicketTake<T> = { state: 'live'; target: T } | { state: 'expired' } | { state: 'unknown' };

type Entry<T> = { state: 'live'; target: T; group: string; expiresAt: number; timer: NodeJS.Timeout } | { state: 'expired'; timer: NodeJS.Timeout };

const hashOf = (ticket: string): string => createHash('sha256').update(ticket, 'utf8').digest('hex');

/**
 * Single-use, short-lived tickets (designs 0003 and 0004): 256 random bits, base64url; only the SHA-256 is
 * kept, with the target, in memory only (a restart revokes every ticket). Taking a known ticket deletes it,
 * whatever the caller then decides; an expired entry drops its target at once and is remembered a little
 * longer only so that it is reported as expired. SSH connect tickets and RDP association tokens extend it
 * with their own issue/redeem on top. Live tickets are counted per group (e.g. per user or shareable
 * link) so that a subclass can cap them: memory stays bounded however fast tickets are asked for.
 */
export abstract class SingleUseTicketStore<T extends object> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly liveByGroup = new Map<string, number>();
  private live = 0;
  private expiredMarkers = 0;

  constructor(private readonly ttlMs: number, private readonly now: () => number = () => Date.now()) {}

  protected mint(target: T, group = ''): { ticket: string; expiresAt: Date } {
    const ticket = randomBytes(32).toString('base64url');
    const key = hashOf(ticket);
    const expiresAt = this.now() + this.ttlMs;
    const timer = setTimeout(() => this.expire(key), this.ttlMs);
    timer.unref();
    this.entries.set(key, { state: 'live', target: { ...target }, group, expiresAt, timer });
    this.live++;
    this.liveByGroup.set(group, (this.liveByGroup.get(group) ?? 0) + 1);
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
    if (entry.state === 'live') this.unlive(entry.group);
    else this.expiredMarkers--;
    if (entry.state === 'expired' || entry.expiresAt <= this.now()) return { state: 'expired' };
    return { state: 'live', target: entry.target };
  }

  get size(): number {
    return this.entries.size;
  }

  /** Tickets issued and neither redeemed nor expired: all of them, or those of one group. */
  liveCount(group?: string): number {
    return group === undefined ? this.live : (this.liveByGroup.get(group) ?? 0);
  }

  /** Forgets every ticket (server shutdown). */
  clear(): void {
    for (const e of this.entries.values()) clearTimeout(e.timer);
    this.entries.clear();
    this.liveByGroup.clear();
    this.live = 0;
    this.expiredMarkers = 0;
  }

  private expire(key: string): void {
    const entry = this.entries.get(key);
    if (!entry || entry.state !== 'live') return;
    this.unlive(entry.group);
    const timer = setTimeout(() => {
      this.entries.delete(key);
      this.expiredMarkers--;
    }, EXPIRED_MEMORY_MS);
    timer.unref();
    this.entries.set(key, { state: 'expired', timer });
    if (++this.expiredMarkers > MAX_EXPIRED_MARKERS) this.dropOldestMarkers();
  }

  private unlive(group: string): void {
    this.live--;
    const n = (this.liveByGroup.get(group) ?? 1) - 1;
    if (n > 0) this.liveByGroup.set(group, n);
    else this.liveByGroup.delete(group);
  }

  /** Map order is insertion order: the first markers met are the oldest tickets. */
  private dropOldestMarkers(): void {
    for (const [key, entry] of this.entries) {
      if (this.expiredMarkers <= MAX_EXPIRED_MARKERS * 0.9) break;
      if (entry.state !== 'expired') continue;
      clearTimeout(entry.timer);
      this.entries.delete(key);
      this.expiredMarkers--;
    }
  }
}
