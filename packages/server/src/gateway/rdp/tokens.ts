import { createHash, randomBytes } from 'node:crypto';

/** How long an association token may be used after it is issued. */
export const RDP_TOKEN_TTL_MS = 30_000;
/** How long an expired token is remembered, so that it is reported (and audited) as expired. */
const EXPIRED_MEMORY_MS = 5 * 60_000;

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

type Entry = { state: 'live'; target: RdpTokenTarget; expiresAt: number; timer: NodeJS.Timeout } | { state: 'expired'; timer: NodeJS.Timeout };

const hashOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
export const destinationOf = (t: { host: string; port: number }): string => `${t.host}:${t.port}`;

/**
 * RDCleanPath association tokens (design 0004), the same scheme as SSH connect tickets: 256 random bits,
 * base64url, only the SHA-256 kept in memory with the target; single use (any redeem attempt of a known
 * token consumes it, so a token shown to the wrong place is dead); 30 s. Stored rather than signed:
 * single use needs server state anyway, and a restart revoking every token is what we want.
 */
export class RdpTokenStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs: number = RDP_TOKEN_TTL_MS, private readonly now: () => number = () => Date.now()) {}

  issue(target: RdpTokenTarget): { token: string; expiresAt: Date } {
    const token = randomBytes(32).toString('base64url');
    const key = hashOf(token);
    const expiresAt = this.now() + this.ttlMs;
    const timer = setTimeout(() => this.expire(key), this.ttlMs);
    timer.unref();
    this.entries.set(key, { state: 'live', target: { ...target }, expiresAt, timer });
    return { token, expiresAt: new Date(expiresAt) };
  }

  /** Consumes the token; it is good only for `userId` and exactly `destination` ("ip:port"). */
  redeem(token: string, userId: string, destination: string): RdpTokenRedeem {
    if (typeof token !== 'string' || token.length === 0 || token.length > 128) return { ok: false, reason: 'invalid' };
    const key = hashOf(token);
    const entry = this.entries.get(key);
    if (!entry) return { ok: false, reason: 'invalid' };
    clearTimeout(entry.timer);
    this.entries.delete(key);
    if (entry.state === 'expired' || entry.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    if (entry.target.userId !== userId) return { ok: false, reason: 'other_user', target: entry.target };
    if (destinationOf(entry.target) !== destination) return { ok: false, reason: 'other_destination', target: entry.target };
    return { ok: true, target: entry.target };
  }

  get size(): number {
    return this.entries.size;
  }

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
