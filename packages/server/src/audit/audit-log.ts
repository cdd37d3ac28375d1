import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { auditCode, type AuditEvent, type AuditEventType, type AuditOutcome } from '../../../protocol/src/audit-events.js';
import type { Database } from '../storage/schema.js';

export interface AuditListFilter {
  type?: string | undefined;
  actor?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** The target (a resource ID, a username…), case-insensitive. */
  target?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
}

export interface AuditInput {
  type: AuditEventType;
  outcome: AuditOutcome;
  message: string;
  actor?: string | null | undefined;
  clientIp?: string | null | undefined;
  userAgent?: string | null | undefined;
  target?: string | null | undefined;
  details?: Record<string, unknown>;
}

/**
 * Writes audit events to the database and mirrors them to the log. Reading is for admins through the API.
 * A state change and its event are one transaction (design 0009): `change(fn)` runs `fn(tx)`, in which the
 * store writes through `tx` and the route records the event with `writeIn(tx, …)`; either both commit or
 * neither does, so a crash or a failed event never leaves a grant without its trace. Events about nothing
 * that changed (refusals, reads) use `write`, one committed row each.
 */
export class AuditLog {
  private readonly observers: Array<(event: AuditEvent) => void> = [];
  /** Events written inside a transaction `change` opened: mirrored only once it has committed. */
  private readonly pending = new WeakMap<Kysely<Database>, AuditEvent[]>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log?: { info(obj: object, msg: string): void },
  ) {}

  async write(input: AuditInput): Promise<AuditEvent> {
    const event = await this.insert(this.db, input);
    this.publish(event);
    return event;
  }

  /**
   * Writes the event within `tx` (the caller's transaction): it commits or rolls back with the change.
   * Inside `change` the log line and observers wait for the commit; in a transaction opened elsewhere
   * they run at once (the row itself still waits for that transaction).
   */
  async writeIn(tx: Kysely<Database>, input: AuditInput): Promise<AuditEvent> {
    const event = await this.insert(tx, input);
    const queue = this.pending.get(tx);
    if (queue) queue.push(event);
    else this.publish(event);
    return event;
  }

  /**
   * Runs `fn` in one transaction on the audit log's database and returns its result. Everything `fn`
   * does must go through the `tx` it is given: on SQLite one connection serves the process, and a query
   * on the outer handle would wait for the transaction that holds it.
   */
  async change<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    const events: AuditEvent[] = [];
    const out = await this.db.transaction().execute(async (tx) => {
      this.pending.set(tx, events);
      return fn(tx);
    });
    for (const event of events) this.publish(event);
    return out;
  }

  private async insert(db: Kysely<Database>, input: AuditInput): Promise<AuditEvent> {
    const event: AuditEvent = {
      id: randomUUID(),
      time: new Date().toISOString(),
      type: input.type,
      code: auditCode(input.type),
      actor: input.actor ?? null,
      clientIp: input.clientIp ?? null,
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      target: input.target ?? null,
      outcome: input.outcome,
      message: input.message,
      details: input.details ?? {},
    };
    await db
      .insertInto('audit_events')
      .values({
        id: event.id,
        time: event.time,
        type: event.type,
        code: event.code,
        actor: event.actor,
        client_ip: event.clientIp,
        user_agent: event.userAgent,
        target: event.target,
        outcome: event.outcome,
        message: event.message,
        details: JSON.stringify(event.details),
      })
      .execute();
    return event;
  }

  private publish(event: AuditEvent): void {
    this.log?.info({ audit: event }, `audit ${event.type} ${event.outcome}`);
    for (const observer of this.observers) observer(event);
  }

  /** Calls `observer` after each event is committed (metrics count sign-in failures this way). */
  observe(observer: (event: AuditEvent) => void): void {
    this.observers.push(observer);
  }

  /** Newest first. `since`/`until` are ISO 8601 instants (UTC, as stored); `limit` default 100, at most 100 000. */
  async list(filter: AuditListFilter = {}): Promise<AuditEvent[]> {
    let q = this.db.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(Math.min(filter.limit ?? 100, 100_000));
    if (filter.type) q = q.where('type', '=', filter.type);
    if (filter.actor) q = q.where('actor', '=', filter.actor);
    if (filter.outcome) q = q.where('outcome', '=', filter.outcome);
    if (filter.target) q = q.where((eb) => eb(eb.fn('lower', ['target']), '=', filter.target!.toLowerCase()));
    if (filter.since) q = q.where('time', '>=', filter.since);
    if (filter.until) q = q.where('time', '<=', filter.until);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      time: r.time,
      type: r.type as AuditEventType,
      code: r.code,
      actor: r.actor,
      clientIp: r.client_ip,
      userAgent: r.user_agent,
      target: r.target,
      outcome: r.outcome as AuditOutcome,
      message: r.message,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }
}
