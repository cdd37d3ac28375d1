/** One counted attempt; its time can be moved to when it failed, or it can be taken back. */
export interface Hit {
  at: number;
}

/**
 * At most `limit` attempts per key within a sliding window of `windowMs` (design 0008). An attempt is
 * counted when it starts (`take`, synchronous, in the same tick as the check) and not when its outcome is
 * known: otherwise parallel requests all pass the check before the first one is recorded. The owner gives
 * back what should not count (`release`: a sign-in that succeeded, a link that was found).
 *
 * Memory: at most `limit` hits per key (a key at its limit takes none) and at most `maxKeys` keys; past
 * that, keys whose hits all left the window go first, then the oldest keys (an attacker who floods the
 * table can make it forget, never grow).
 */
export class SlidingWindow {
  private readonly hits = new Map<string, Hit[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Milliseconds until `key` has room for one more attempt; 0 when it has room now. */
  waitMs(key: string): number {
    const now = this.now();
    const recent = this.recent(key, now);
    if (recent.length < this.limit) return 0;
    // Room returns when the oldest hit that keeps the count at the limit leaves the window (hits can be
    // moved to their failure time, so their order is not the order they were taken in).
    const times = recent.map((h) => h.at).sort((a, b) => a - b);
    return times[times.length - this.limit]! + this.windowMs - now;
  }

  /** Counts an attempt if there is room (and answers it), else answers undefined. */
  take(key: string): Hit | undefined {
    if (this.waitMs(key) > 0) return undefined;
    const now = this.now();
    const hit: Hit = { at: now };
    const list = this.recent(key, now);
    list.push(hit);
    this.hits.delete(key); // re-inserted last: the Map's order is then "least recently hit first"
    this.hits.set(key, list);
    if (this.hits.size > this.maxKeys) this.shrink(now);
    return hit;
  }

  /** Takes a counted attempt back (it turned out not to be one that should count). */
  release(key: string, hit: Hit): void {
    const list = this.hits.get(key);
    if (!list) return;
    const rest = list.filter((h) => h !== hit);
    if (rest.length === 0) this.hits.delete(key);
    else this.hits.set(key, rest);
  }

  clear(key: string): void {
    this.hits.delete(key);
  }

  count(key: string): number {
    return this.recent(key, this.now()).length;
  }

  get size(): number {
    return this.hits.size;
  }

  private recent(key: string, now: number): Hit[] {
    return (this.hits.get(key) ?? []).filter((h) => now - h.at < this.windowMs);
  }

  private shrink(now: number): void {
    for (const [key, list] of this.hits) if (list.every((h) => now - h.at >= this.windowMs)) this.hits.delete(key);
    for (const key of this.hits.keys()) {
      if (this.hits.size <= this.maxKeys * 0.9) break;
      this.hits.delete(key);
    }
  }
}

/**
 * The key of a client address for the limits: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, since
 * one subscriber usually holds a whole /64 and could otherwise take a fresh address for every guess.
 */
export function placeOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const bare = ip.split('%')[0]!.toLowerCase();
  const [head = '', tail] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
