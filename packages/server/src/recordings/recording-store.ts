import type { Kysely, Selectable } from 'kysely';
import type { RecordingFormat, RecordingInfo, RecordingStatus } from '../../../protocol/src/recordings.js';
import type { Database } from '../storage/schema.js';

/** Row shape of migration 0007 (a type alias: `withTables` wants one). */
export type RecordingsTable = {
  session_id: string;
  protocol: string;
  format: string;
  file: string;
  target_resource_id: string;
  target_resource_id_key: string;
  principal_name: string;
  user_name: string;
  start_time: string;
  end_time: string | null;
  /** bigint: PostgreSQL's driver returns it as a string. */
  size_bytes: number | string;
  status: string;
  error: string | null;
  /** Migration 0010: what the bastion did to the file besides writing it (null on older rows). */
  note: string | null;
};
type RecordingTables = { recordings: RecordingsTable };

/** A stored recording: what the API lists (less `live`, known only to the running process) plus its file. */
export type RecordingRow = Omit<RecordingInfo, 'live' | 'note'> & {
  /** Relative to the recordings folder. */
  file: string;
  note: string | null;
};

/**
 * The note of a failed recording whose file still ends in a partial frame (the cut after the write error was
 * refused too, e.g. by a file system gone read-only): the next start-up repair removes it and says so.
 */
export const NOTE_CUT_PENDING = 'A write error left a partial frame at the end of the file; it is removed at the next start.';

export interface RecordingFilter {
  vm?: string | undefined;
  user?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
}

const toRow = (r: Selectable<RecordingsTable>): RecordingRow => ({
  sessionId: r.session_id,
  protocol: r.protocol as 'ssh' | 'rdp',
  format: r.format as RecordingFormat,
  file: r.file,
  vm: r.target_resource_id,
  user: r.principal_name,
  userName: r.user_name,
  start: r.start_time,
  end: r.end_time,
  size: Number(r.size_bytes),
  status: r.status as RecordingStatus,
  error: r.error,
  note: r.note,
});

/** A row as the API shows it (`live` is the caller's knowledge: the recorder is still running). */
export const recordingInfo = (r: RecordingRow, live: boolean, size = r.size): RecordingInfo => ({
  sessionId: r.sessionId,
  protocol: r.protocol,
  format: r.format,
  vm: r.vm,
  user: r.user,
  userName: r.userName,
  start: r.start,
  end: r.end,
  size,
  status: r.status,
  live,
  error: r.error,
  note: r.note,
});

/** The recordings index (table `recordings`, migration 0007). */
export class RecordingStore {
  private readonly db: Kysely<Database & RecordingTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<RecordingTables>();
  }

  async insert(r: Omit<RecordingRow, 'end' | 'size' | 'status' | 'error' | 'note'>): Promise<void> {
    await this.db
      .insertInto('recordings')
      .values({
        session_id: r.sessionId,
        protocol: r.protocol,
        format: r.format,
        file: r.file,
        target_resource_id: r.vm,
        target_resource_id_key: r.vm.toLowerCase(),
        principal_name: r.user,
        user_name: r.userName,
        start_time: r.start,
        end_time: null,
        size_bytes: 0,
        status: 'recording',
        error: null,
        note: null,
      })
      .execute();
  }

  /**
   * Marks writing as failed (the session may go on): the file keeps what was written before, `size` bytes
   * when known (the index must match the file: a cut-back file is shorter than what was appended).
   */
  async fail(sessionId: string, error: string, at: { size?: number; note?: string | null } = {}): Promise<void> {
    await this.db
      .updateTable('recordings')
      .set({ status: 'failed', error, ...(at.size !== undefined ? { size_bytes: at.size } : {}), ...(at.note !== undefined ? { note: at.note } : {}) })
      .where('session_id', '=', sessionId)
      .execute();
  }

  /** Completes the row; a failed recording keeps its status. */
  async finish(sessionId: string, end: string, size: number): Promise<void> {
    await this.db.updateTable('recordings').set({ end_time: end, size_bytes: size }).where('session_id', '=', sessionId).execute();
    await this.db.updateTable('recordings').set({ status: 'complete' }).where('session_id', '=', sessionId).where('status', '=', 'recording').execute();
  }

  async get(sessionId: string): Promise<RecordingRow | undefined> {
    const row = await this.db.selectFrom('recordings').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
    return row ? toRow(row) : undefined;
  }

  /** Newest first. */
  async list(filter: RecordingFilter = {}): Promise<RecordingRow[]> {
    let q = this.db
      .selectFrom('recordings')
      .selectAll()
      .orderBy('start_time', 'desc')
      .orderBy('session_id', 'desc')
      .limit(Math.min(Math.max(1, filter.limit ?? 100), 1000));
    if (filter.vm) q = q.where('target_resource_id_key', '=', filter.vm.toLowerCase());
    if (filter.user) q = q.where((eb) => eb(eb.fn('lower', ['principal_name']), '=', filter.user!.toLowerCase()));
    if (filter.since) q = q.where('start_time', '>=', filter.since);
    if (filter.until) q = q.where('start_time', '<=', filter.until);
    return (await q.execute()).map(toRow);
  }

  /** Rows still 'recording' (at start-up: those a killed bastion left open). */
  async open(): Promise<RecordingRow[]> {
    return (await this.db.selectFrom('recordings').selectAll().where('status', '=', 'recording').execute()).map(toRow);
  }

  /** Failed rows whose file still ends in a partial frame (NOTE_CUT_PENDING), for the start-up repair. */
  async cutPending(): Promise<RecordingRow[]> {
    return (await this.db.selectFrom('recordings').selectAll().where('status', '=', 'failed').where('note', '=', NOTE_CUT_PENDING).execute()).map(toRow);
  }

  /** A row a killed bastion left open: 'interrupted', with the file's size after repair and what the repair did. */
  async interrupted(sessionId: string, end: string, size: number, note: string | null = null): Promise<void> {
    await this.db.updateTable('recordings').set({ status: 'interrupted', end_time: end, size_bytes: size, note }).where('session_id', '=', sessionId).where('status', '=', 'recording').execute();
  }

  /** The file was repaired (or found as it should be): its true size and what was done. Status unchanged. */
  async repaired(sessionId: string, size: number, note: string | null): Promise<void> {
    await this.db.updateTable('recordings').set({ size_bytes: size, note }).where('session_id', '=', sessionId).execute();
  }

  /** Ended recordings that started before `before` (ISO 8601), oldest first. */
  async expired(before: string, limit = 500): Promise<RecordingRow[]> {
    const rows = await this.db.selectFrom('recordings').selectAll().where('start_time', '<', before).where('status', '!=', 'recording').orderBy('start_time').limit(limit).execute();
    return rows.map(toRow);
  }

  async delete(sessionId: string): Promise<void> {
    await this.db.deleteFrom('recordings').where('session_id', '=', sessionId).execute();
  }
}
