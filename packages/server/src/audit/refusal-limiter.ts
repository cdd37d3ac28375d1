import type { AuditEventType } from '../../../protocol/src/audit-events.js';
import type { AuditInput, AuditLog } from './audit-log.js';

/**
 * Refusals (bad tickets and tokens, bad origins, unusable links, refused tunnels) are written by anyone who
 * can reach the port, so an unlimited audit row per refusal lets one client fill the database and bury
 * real events (issue 13: 2,000 bad-ticket upgrades wrote 2,000 rows). Per client address and event type,
 * the first `perWindow` refusals of a window are written as they come; the rest are counted and written as
 * one summary event when the window ends ("312 more … from 203.0.113.7 in the last 60 s").
 */
export interface RefusalLimits {
  /** Refusals written one by one per address and event type in a window. */
  perWindow: number;
  windowMs: number;
  /**
   * Addresses tracked at once (memory bound). Beyond it, refusals from addresses not yet tracked share one
   * bucket (`clientIp: null`, address "various"), so a spoofed-address flood is bounded too.
   */
  maxKeys: number;
}

export const REFUSAL_LIMITS: RefusalLimits = { perWindow: 20, windowMs: 60_000, maxKeys: 4096 };

/** What a summary calls the refusals it counts (the event type's code and description stay the type's). */
const LABELS: Partial<Record<AuditEventType, string>> = {
  'ssh.ticket.rejected': 'refused SSH connections (tickets or origin)',
  'rdp.token.rejected': 'refused RDP connection tokens',
  'link.rejected': 'refused shareable links',
  'tunnel.rejected': 'refused tunnels',
  'access.denied': 'access refusals',
};

interface Bucket {
  ip: string | null;
  type: AuditEventType;
  outcome: AuditInput['outcome'];
  windowStart: number;
  written: number;
  suppressed: number;
  /** Suppressed refusals by their `details.reason` (when they have one): what the flood was made of. */
  reasons: Map<string, number>;
}

const MAX_REASONS = 16;

export class RefusalLimiter {
  // Insertion order is window-start order (a bucket is re-inserted when its window restarts), so expired
  // buckets are always at the front and a sweep stops at the first live one.
  private readonly buckets = new Map<string, Bucket>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly audit: Pick<AuditLog, 'write'>,
    private readonly limits: RefusalLimits = REFUSAL_LIMITS,
    private readonly now: () => number = Date.now,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Writes the refusal, or counts it for the window's summary. Never rejects: audit must not break a refusal. */
  async write(input: AuditInput): Promise<void> {
    const t = this.now();
    const pending = this.sweep(t);
    const bucket = this.bucketFor(input, t);
    if (bucket.written < this.limits.perWindow) {
      bucket.written++;
      pending.push(this.audit.write(input).then(() => undefined, this.onError));
    } else {
      bucket.suppressed++;
      const reason = input.details?.['reason'];
      if (typeof reason === 'string' && (bucket.reasons.has(reason) || bucket.reasons.size < MAX_REASONS)) bucket.reasons.set(reason, (bucket.reasons.get(reason) ?? 0) + 1);
      this.arm();
    }
    await Promise.all(pending);
  }

  /** Writes every pending summary now (at shutdown, so counted refusals are not lost). */
  async flush(): Promise<void> {
    const pending = this.sweep(this.now(), true);
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(pending);
  }

  /** Addresses (and event types) currently tracked: bounded by `maxKeys` + one shared bucket per type. */
  get size(): number {
    return this.buckets.size;
  }

  private bucketFor(input: AuditInput, t: number): Bucket {
    const ip = input.clientIp ?? null;
    let key = `${input.type}\u0000${ip ?? ''}`;
    let bucket = this.buckets.get(key);
    if (bucket) return bucket;
    let bucketIp = ip;
    if (this.buckets.size >= this.limits.maxKeys) {
      key = `${input.type}\u0000*`;
      bucketIp = null;
      bucket = this.buckets.get(key);
      if (bucket) return bucket;
    }
    bucket = { ip: bucketIp, type: input.type, outcome: input.outcome, windowStart: t, written: 0, suppressed: 0, reasons: new Map() };
    this.buckets.set(key, bucket);
    return bucket;
  }

  /** Ends the windows that are over at `t`: their summaries are written, their buckets dropped. */
  private sweep(t: number, all = false): Promise<void>[] {
    const pending: Promise<void>[] = [];
    for (const [key, bucket] of this.buckets) {
      if (!all && t - bucket.windowStart < this.limits.windowMs) break;
      this.buckets.delete(key);
      if (bucket.suppressed > 0) pending.push(this.audit.write(this.summary(bucket, t)).then(() => undefined, this.onError));
    }
    if (this.buckets.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    return pending;
  }

  private summary(b: Bucket, t: number): AuditInput {
    const seconds = Math.round(Math.min(t - b.windowStart, this.limits.windowMs) / 1000);
    const from = b.ip ?? 'various addresses (too many to track one by one)';
    const label = LABELS[b.type] ?? `"${b.type}" events`;
    return {
      type: b.type,
      outcome: b.outcome,
      clientIp: b.ip,
      actor: null,
      target: null,
      message: `${b.suppressed} more ${label} from ${from} in the last ${seconds} s (the first ${b.written} were recorded one by one).`,
      details: { summary: true, suppressed: b.suppressed, recorded: b.written, windowSeconds: seconds, windowStart: new Date(b.windowStart).toISOString(), ...(b.reasons.size ? { reasons: Object.fromEntries(b.reasons) } : {}) },
    };
  }

  /** A summary is due even if the flood stops: sweep while something is counted (unref'd: never keeps the process). */
  private arm(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void Promise.all(this.sweep(this.now())), Math.max(250, Math.floor(this.limits.windowMs / 4)));
    this.timer.unref();
  }
}

const limiters = new WeakMap<object, RefusalLimiter>();

/**
 * The refusal limiter of an audit log: one per AuditLog, so every route of one app shares the counts without
 * being handed a new dependency. Use it instead of `audit.write` for refusals anyone can provoke.
 */
export function refusalAudit(audit: AuditLog): RefusalLimiter {
  let limiter = limiters.get(audit);
  if (!limiter) limiters.set(audit, (limiter = new RefusalLimiter(audit)));
  return limiter;
}
