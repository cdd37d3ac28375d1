import type { Kysely, Selectable } from 'kysely';
import {
  CONNECTED_MESSAGE,
  connectedAuditRecord,
  endAuditRecord,
  startAuditRecord,
  type BastionAuditEnd,
  type BastionAuditRecord,
  type BastionAuditStart,
  type BastionProtocol,
  type ConnectionEndReason,
} from '../../../protocol/src/bastion-audit-log.js';
import type { SshWireErrorCode } from '../../../protocol/src/ssh-messages.js';
import type { Database } from '../storage/schema.js';

/** Row shape of migration 0005 (a type alias: `withTables` wants one). */
export type BastionAuditLogsTable = {
  session_id: string;
  protocol: string;
  bastion_resource_id: string | null;
  user_name: string;
  principal_name: string;
  principal_id: string;
  user_agent: string | null;
  client_ip_address: string;
  client_port: number | null;
  target_resource_id: string;
  target_resource_id_key: string;
  target_vm_ip_address: string;
  target_port: number;
  tunnel_id: string | null;
  message: string;
  error_code: string | null;
  start_time: string;
  end_time: string | null;
  /** bigint columns: PostgreSQL's driver returns them as strings. */
  duration_ms: number | string | null;
  bytes_in: number | string;
  bytes_out: number | string;
  end_reason: string | null;
  /** Migration 0010: when the bastion last wrote this live row's counters (null on rows older than it). */
  last_seen_time: string | null;
};

/** A live connection's counters as `touchLive` writes them (undefined bytes: not relaying yet, kept as stored). */
export interface LiveFigures {
  sessionId: string;
  bytesIn?: number | undefined;
  bytesOut?: number | undefined;
}

/**
 * Sessions per UPDATE of `touchLive`: each costs 5 bound parameters, so 5000 stay far below SQLite's 32766
 * and PostgreSQL's 65535, and a bastion with a few thousand sessions writes one statement per tick.
 */
export const TOUCH_BATCH = 5000;

export type ConnectionLogTables = { bastion_audit_logs: BastionAuditLogsTable };

export interface ConnectionLogFilter {
  /** The VM's resource ID (case-insensitive). */
  targetResourceId?: string | undefined;
  /** The bastion user (principal name, case-insensitive). */
  principalName?: string | undefined;
  /** ISO 8601: connections that started at or after this instant. */
  since?: string | undefined;
  /** ISO 8601: connections that started at or before this instant. */
  until?: string | undefined;
  protocol?: BastionProtocol | undefined;
  /**
   * succeeded: the connection was established (`Successfully Connected.`, whatever ended it);
   * failed: it ended without being established (`failed`, or `interrupted` while connecting).
   */
  outcome?: 'succeeded' | 'failed' | undefined;
  /** Default 100, at most MAX_LIST_LIMIT (exports ask for more than a page). */
  limit?: number | undefined;
}

export const MAX_LIST_LIMIT = 100_000;

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

const toRecord = (r: Selectable<BastionAuditLogsTable>): BastionAuditRecord => ({
  sessionId: r.session_id,
  protocol: r.protocol as BastionProtocol,
  bastionResourceId: r.bastion_resource_id,
  userName: r.user_name,
  principalName: r.principal_name,
  principalId: r.principal_id,
  userAgent: r.user_agent,
  clientIpAddress: r.client_ip_address,
  clientPort: r.client_port === null ? null : num(r.client_port),
  targetResourceId: r.target_resource_id,
  targetVMIPAddress: r.target_vm_ip_address,
  targetPort: num(r.target_port),
  ...(r.tunnel_id !== null ? { tunnelId: r.tunnel_id } : {}),
  message: r.message,
  errorCode: r.error_code as SshWireErrorCode | null,
  startTime: r.start_time,
  endTime: r.end_time,
  durationMs: r.duration_ms === null ? null : num(r.duration_ms),
  bytesIn: num(r.bytes_in),
  bytesOut: num(r.bytes_out),
  endReason: r.end_reason as ConnectionEndReason | null,
});

/** The columns an update may change (everything but the identity of the connection). */
const outcomeOf = (r: BastionAuditRecord) => ({
  message: r.message,
  error_code: r.errorCode,
  end_time: r.endTime,
  duration_ms: r.durationMs,
  bytes_in: r.bytesIn,
  bytes_out: r.bytesOut,
  end_reason: r.endReason,
});

/**
 * The connection records (table `bastion_audit_logs`, migration 0005): one row per connection, inserted and
 * committed before the bastion connects to the VM, completed when the connection ends. Ends are written
 * once (`end_time is null` guards the update), so a late writer cannot overwrite the first outcome.
 */
export class ConnectionLog {
  private readonly db: Kysely<Database & ConnectionLogTables>;
  private readonly endObservers: Array<(record: BastionAuditRecord) => void> = [];

  /** Calls `observer` with each record once its end is written (metrics count SSH auth failures this way). */
  observeEnd(observer: (record: BastionAuditRecord) => void): void {
    this.endObservers.push(observer);
  }

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<ConnectionLogTables>();
  }

  /** Inserts the start row ('Connecting.'); resolves once it is committed. */
  async start(start: BastionAuditStart): Promise<BastionAuditRecord> {
    const r = startAuditRecord({ ...start, userAgent: start.userAgent?.slice(0, 512) ?? null });
    await this.db
      .insertInto('bastion_audit_logs')
      .values({
        session_id: r.sessionId,
        protocol: r.protocol,
        bastion_resource_id: r.bastionResourceId,
        user_name: r.userName,
        principal_name: r.principalName,
        principal_id: r.principalId,
        user_agent: r.userAgent,
        client_ip_address: r.clientIpAddress,
        client_port: r.clientPort,
        target_resource_id: r.targetResourceId,
        target_resource_id_key: r.targetResourceId.toLowerCase(),
        target_vm_ip_address: r.targetVMIPAddress,
        target_port: r.targetPort,
        tunnel_id: r.tunnelId ?? null,
        start_time: r.startTime,
        // Seen alive at its start: a crash before the first persistence tick ends the row here, not at the restart.
        last_seen_time: r.startTime,
        ...outcomeOf(r),
      })
      .execute();
    return r;
  }

  /** The connection is established: `message` becomes 'Successfully Connected.'. */
  async connected(record: BastionAuditRecord): Promise<BastionAuditRecord> {
    const r = connectedAuditRecord(record);
    await this.db.updateTable('bastion_audit_logs').set({ message: r.message }).where('session_id', '=', r.sessionId).where('end_time', 'is', null).execute();
    return r;
  }

  /** Completes the record; false when it had already ended (then nothing is changed). */
  async end(record: BastionAuditRecord, end: BastionAuditEnd): Promise<{ record: BastionAuditRecord; written: boolean }> {
    const r = endAuditRecord(record, end);
    const result = await this.db.updateTable('bastion_audit_logs').set(outcomeOf(r)).where('session_id', '=', r.sessionId).where('end_time', 'is', null).executeTakeFirst();
    const written = Number(result.numUpdatedRows) > 0;
    if (written) for (const observer of this.endObservers) observer(r);
    return { record: r, written };
  }

  async get(sessionId: string): Promise<BastionAuditRecord | undefined> {
    const row = await this.db.selectFrom('bastion_audit_logs').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Newest first. */
  async list(filter: ConnectionLogFilter = {}): Promise<BastionAuditRecord[]> {
    let q = this.db
      .selectFrom('bastion_audit_logs')
      .selectAll()
      .orderBy('start_time', 'desc')
      .orderBy('session_id', 'desc')
      .limit(Math.min(Math.max(1, filter.limit ?? 100), MAX_LIST_LIMIT));
    if (filter.targetResourceId) q = q.where('target_resource_id_key', '=', filter.targetResourceId.toLowerCase());
    if (filter.principalName) q = q.where((eb) => eb(eb.fn('lower', ['principal_name']), '=', filter.principalName!.toLowerCase()));
    if (filter.since) q = q.where('start_time', '>=', filter.since);
    if (filter.until) q = q.where('start_time', '<=', filter.until);
    if (filter.protocol) q = q.where('protocol', '=', filter.protocol);
    if (filter.outcome === 'succeeded') q = q.where('message', '=', CONNECTED_MESSAGE);
    if (filter.outcome === 'failed') q = q.where('message', '!=', CONNECTED_MESSAGE).where('end_time', 'is not', null);
    return (await q.execute()).map(toRecord);
  }

  /**
   * Persists the live connections' byte counters and `at` as their last-seen time: one UPDATE for all of them
   * (per TOUCH_BATCH), not one per session, so a tick costs the same statement whether 10 or 2,000 sessions
   * run. Rows already ended are left alone (`end_time is null`): the end's own figures win.
   */
  async touchLive(live: readonly LiveFigures[], at: Date): Promise<void> {
    const seen = at.toISOString();
    for (let i = 0; i < live.length; i += TOUCH_BATCH) {
      const batch = live.slice(i, i + TOUCH_BATCH);
      const counted = batch.filter((f) => f.bytesIn !== undefined && f.bytesOut !== undefined);
      await this.db
        .updateTable('bastion_audit_logs')
        .set((eb) => {
          if (counted.length === 0) return { last_seen_time: seen };
          const column = (name: 'bytes_in' | 'bytes_out', pick: (f: LiveFigures) => number) => {
            let c = eb.case().when('session_id', '=', counted[0]!.sessionId).then(pick(counted[0]!));
            for (const f of counted.slice(1)) c = c.when('session_id', '=', f.sessionId).then(pick(f));
            return c.else(eb.ref(name)).end();
          };
          return { last_seen_time: seen, bytes_in: column('bytes_in', (f) => f.bytesIn!), bytes_out: column('bytes_out', (f) => f.bytesOut!) };
        })
        .where('session_id', 'in', batch.map((f) => f.sessionId))
        .where('end_time', 'is', null)
        .execute();
    }
  }

  /**
   * At startup: records left open by a bastion that died (crash, kill -9, power loss) end as 'interrupted' at
   * the last time the bastion saw them alive (`touchLive`, every few seconds), with the byte counters it last
   * wrote; a row from before migration 0010 (no last-seen time) ends at `now`. Returns how many. (With several
   * instances on one PostgreSQL this would also close the others' live rows: instances are not told apart yet.)
   */
  async closeInterrupted(now: Date): Promise<number> {
    const open = await this.db.selectFrom('bastion_audit_logs').selectAll().where('end_time', 'is', null).execute();
    let closed = 0;
    for (const row of open) {
      const record = toRecord(row);
      // Never before the start (a clock step back between start and touch must not give a negative duration).
      const seen = row.last_seen_time ?? now.toISOString();
      const endTime = Date.parse(seen) < Date.parse(record.startTime) ? record.startTime : seen;
      const { written } = await this.end(record, { kind: 'ended', reason: 'interrupted', endTime, bytesIn: record.bytesIn, bytesOut: record.bytesOut });
      if (written) closed++;
    }
    return closed;
  }
}
