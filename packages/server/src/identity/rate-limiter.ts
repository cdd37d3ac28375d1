import { SlidingWindow, placeOf, type Hit } from './rate-limiter-window.js';

/** `security.login` (design 0008); the optional keys fall back to LOGIN_LIMIT_DEFAULTS. */
export interface LoginLimits {
  /** Failures per (username, client place) within the window; then 429 for that pair only. */
  maxFailures: number;
  windowSeconds: number;
  /** Failures per client place over all usernames within the window (password spraying). */
  ipMaxFailures?: number | undefined;
  /** The account's first delay once it has `maxFailures` failures from unknown places; doubles per failure. */
  accountDelaySeconds?: number | undefined;
  accountMaxDelaySeconds?: number | undefined;
}

export const LOGIN_LIMIT_DEFAULTS = { ipMaxFailures: 20, accountDelaySeconds: 1, accountMaxDelaySeconds: 900 } as const;

/** Which limit refused: the pair, the client place, or the account's back-off. */
export type SignInLimit = 'user-ip' | 'ip' | 'account';

/** A sign-in attempt that was counted before its password is checked; the caller reports how it ended. */
export interface SignInAttemptCount {
  failed(): void;
  succeeded(): void;
  /** Neither (the check itself broke): the attempt stops counting. */
  abandoned(): void;
}

/** A refusal; `report` is false for repeats of the same (limit, user, place) within a minute (audit them once). */
export type SignInGate = { ok: true; attempt: SignInAttemptCount } | { ok: false; limit: SignInLimit; retryAfterMs: number; report: boolean };

/** An account's back-off outlasts its own cap by far, or waiting out the cap would start it over. */
const ACCOUNT_MEMORY_MS = 24 * 3_600_000;
/** Places remembered per user (most recent kept), and accounts / users tracked at most. */
const PLACES_PER_USER = 20;
const MAX_ACCOUNTS = 100_000;

type Account = { failures: number; pending: number; last: number };

/**
 * Sign-in limits (design 0008), one object for the portal's sign-in and the CLI's token issue:
 * - per (username, place): `maxFailures` within the window, then 429 for that pair only;
 * - per place (IP, IPv6 /64) over all usernames: `ipMaxFailures` within the window (spraying);
 * - per account from any place: after `maxFailures` failures, each further attempt waits a delay that
 *   doubles with every failure up to `accountMaxDelaySeconds` (guessing from many addresses).
 * A place where the user signed in before is "known": its attempts are limited by the pair limit only, and
 * count nowhere else, so a stranger hammering an account or sharing an address cannot lock its user out
 * of the places they use. `begin` checks and counts in one synchronous step: parallel attempts cannot all
 * pass the check. All of it lives in memory, per instance, and a restart forgets it (written down in 0008).
 */
export class LoginRateLimiter {
  private readonly pairs: SlidingWindow;
  private readonly ips: SlidingWindow;
  private readonly accounts = new Map<string, Account>();
  private readonly places = new Map<string, string[]>();
  private readonly reported: SlidingWindow;
  private readonly free: number;
  private readonly delayMs: number;
  private readonly maxDelayMs: number;

  constructor(limits: LoginLimits, private readonly now: () => number = Date.now) {
    const windowMs = limits.windowSeconds * 1000;
    this.pairs = new SlidingWindow(limits.maxFailures, windowMs, now);
    this.ips = new SlidingWindow(limits.ipMaxFailures ?? LOGIN_LIMIT_DEFAULTS.ipMaxFailures, windowMs, now);
    this.reported = new SlidingWindow(1, 60_000, now, 10_000);
    this.free = limits.maxFailures;
    this.delayMs = (limits.accountDelaySeconds ?? LOGIN_LIMIT_DEFAULTS.accountDelaySeconds) * 1000;
    this.maxDelayMs = (limits.accountMaxDelaySeconds ?? LOGIN_LIMIT_DEFAULTS.accountMaxDelaySeconds) * 1000;
  }

  /** Checks every limit that applies and, when none refuses, counts the attempt against each of them. */
  begin(username: string, ip: string): SignInGate {
    const user = username.toLowerCase();
    const place = placeOf(ip);
    const pairKey = `${user}\u0000${place}`;
    const known = this.places.get(user)?.includes(place) ?? false;
    const waits: Array<[SignInLimit, number]> = [['user-ip', this.pairs.waitMs(pairKey)]];
    if (!known) waits.push(['ip', this.ips.waitMs(place)], ['account', this.accountWaitMs(user)]);
    const [limit, retryAfterMs] = waits.reduce((a, b) => (b[1] > a[1] ? b : a));
    if (retryAfterMs > 0) return { ok: false, limit, retryAfterMs, report: this.reported.take(`${limit}\u0000${pairKey}`) !== undefined };

    const pairHit = this.pairs.take(pairKey)!;
    let ipHit: Hit | undefined;
    let account: Account | undefined;
    if (!known) {
      ipHit = this.ips.take(place)!;
      account = this.account(user);
      account.pending++;
      account.last = this.now();
    }
    let done = false;
    const end = (how: 'failed' | 'succeeded' | 'abandoned'): void => {
      if (done) return;
      done = true;
      const now = this.now();
      if (account) account.pending--;
      if (how === 'failed') {
        // The wait runs from the failure, not from when the password check began.
        pairHit.at = now;
        if (ipHit) ipHit.at = now;
        if (account) {
          account.failures++;
          account.last = now;
        }
        return;
      }
      if (ipHit) this.ips.release(place, ipHit);
      if (how === 'abandoned') return this.pairs.release(pairKey, pairHit);
      this.pairs.clear(pairKey);
      this.remember(user, place);
    };
    return { ok: true, attempt: { failed: () => end('failed'), succeeded: () => end('succeeded'), abandoned: () => end('abandoned') } };
  }

  /** The account's back-off: 0 until `maxFailures` failures, then base × 2^(extra failures), capped. */
  private accountWaitMs(user: string): number {
    const a = this.accounts.get(user);
    if (!a) return 0;
    const now = this.now();
    if (a.pending === 0 && now - a.last >= ACCOUNT_MEMORY_MS) {
      this.accounts.delete(user);
      return 0;
    }
    const n = a.failures + a.pending;
    if (n < this.free) return 0;
    const delay = Math.min(this.maxDelayMs, this.delayMs * 2 ** Math.min(n - this.free, 40));
    return Math.max(0, a.last + delay - now);
  }

  private account(user: string): Account {
    const a = this.accounts.get(user) ?? { failures: 0, pending: 0, last: 0 };
    this.accounts.delete(user); // re-inserted last: the Map's order is "least recently tried first"
    this.accounts.set(user, a);
    if (this.accounts.size > MAX_ACCOUNTS) this.shrinkAccounts();
    return a;
  }

  private shrinkAccounts(): void {
    const now = this.now();
    for (const [key, a] of this.accounts) if (a.pending === 0 && now - a.last >= ACCOUNT_MEMORY_MS) this.accounts.delete(key);
    for (const [key, a] of this.accounts) {
      if (this.accounts.size <= MAX_ACCOUNTS * 0.9) break;
      if (a.pending === 0) this.accounts.delete(key);
    }
  }

  private remember(user: string, place: string): void {
    const list = (this.places.get(user) ?? []).filter((p) => p !== place);
    list.push(place);
    this.places.delete(user);
    this.places.set(user, list.slice(-PLACES_PER_USER));
    // Only successful sign-ins add here, so this holds real users; the bound is a backstop.
    if (this.places.size > MAX_ACCOUNTS) this.places.delete(this.places.keys().next().value!);
  }
}
