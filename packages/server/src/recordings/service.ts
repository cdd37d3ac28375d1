import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { BastionAuditRecord } from '../../../protocol/src/bastion-audit-log.js';
import type { RecordingFormat } from '../../../protocol/src/recordings.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Database } from '../storage/schema.js';
import { AppendFile, type AppendFileOptions } from './append-file.js';
import { AsciicastWriter, lastLineEnd } from './asciicast-writer.js';
import { RdpcapWriter } from './rdpcap-writer.js';
import { NOTE_CUT_PENDING, RecordingStore, type RecordingRow } from './recording-store.js';
import { repairRecording } from './repair.js';

export interface RecordingSettings {
  /** Absolute folder: files go to <dir>/<yyyy>/<mm>/<sessionId>.<cast|rdpcap>. */
  dir: string;
  retentionDays: number;
  ssh: { enabled: boolean; input: boolean };
  rdp: { enabled: boolean };
  /** 'continue' (default): a session whose recording fails goes on, audited; 'disconnect': it is ended. */
  onFailure: 'continue' | 'disconnect';
  /** Batching and sync intervals (tests). */
  file?: AppendFileOptions;
}

export interface SshRecording {
  output(chunk: Uint8Array): void;
  input(chunk: Uint8Array): void;
  resize(cols: number, rows: number): void;
  close(): Promise<void>;
}

export interface RdpRecording {
  fromClient(chunk: Uint8Array): void;
  fromServer(chunk: Uint8Array): void;
  close(): Promise<void>;
}

/** Started, or why not (the caller ends the session only when `settings.onFailure` is 'disconnect'). */
export type RecordingStart<T> =
  | { ok: true; /** undefined: recording is off for this protocol, or (with `notRecorded`) it could not start. */ recording: T | undefined; /** What to tell the user: the policy records sessions, this one is not. */ notRecorded?: string }
  | { ok: false; message: string };

interface Log {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const DAY_MS = 86_400_000;
const EXTENSION: Record<RecordingFormat, string> = { asciicast: 'cast', rdpcap: 'rdpcap' };

/**
 * Session recordings (design 0006): starts a writer per SSH/RDP session, keeps the index (table
 * `recordings`), hands live casts to watchers, closes what a killed bastion left open, and deletes
 * recordings older than `retentionDays` (at start and daily).
 */
export class Recordings {
  readonly store: RecordingStore;
  private readonly live = new Map<string, { file: AppendFile; cast?: AsciicastWriter; close(): Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    db: Kysely<Database>,
    private readonly audit: AuditLog,
    readonly settings: RecordingSettings,
    private readonly log: Log = { error: () => undefined, warn: () => undefined },
  ) {
    this.store = new RecordingStore(db);
  }

  pathOf(row: Pick<RecordingRow, 'file'>): string {
    return join(this.settings.dir, row.file);
  }

  /** The live cast of a running SSH session (for watchers). */
  liveCast(sessionId: string): AsciicastWriter | undefined {
    return this.live.get(sessionId)?.cast;
  }

  isLive(sessionId: string): boolean {
    return this.live.has(sessionId);
  }

  /** Bytes written so far of a live recording. */
  liveSize(sessionId: string): number | undefined {
    return this.live.get(sessionId)?.file.written;
  }

  async startSsh(record: BastionAuditRecord, size: { cols: number; rows: number }, onFailure: (message: string) => void): Promise<RecordingStart<SshRecording>> {
    if (!this.settings.ssh.enabled) return { ok: true, recording: undefined };
    const vmName = record.targetResourceId.split('/').pop() ?? record.targetVMIPAddress;
    return this.start(record, 'asciicast', onFailure, (file) => {
      const cast = new AsciicastWriter(file, { width: size.cols, height: size.rows, title: `${record.userName}@${vmName}` }, { input: this.settings.ssh.input });
      return { cast, recording: { output: (c) => cast.output(c), input: (c) => cast.input(c), resize: (c, r) => cast.resize(c, r), close: () => cast.close() } };
    });
  }

  async startRdp(record: BastionAuditRecord, onFailure: (message: string) => void): Promise<RecordingStart<RdpRecording>> {
    if (!this.settings.rdp.enabled) return { ok: true, recording: undefined };
    return this.start(record, 'rdpcap', onFailure, (file) => {
      const meta = { sessionId: record.sessionId, vm: record.targetResourceId, user: record.principalName, userName: record.userName, host: record.targetVMIPAddress, port: record.targetPort };
      const cap = new RdpcapWriter(file, meta);
      return { recording: { fromClient: (c) => cap.fromClient(c), fromServer: (c) => cap.fromServer(c), close: () => cap.close() } };
    });
  }

  private async start<T extends { close(): Promise<void> }>(
    record: BastionAuditRecord,
    format: RecordingFormat,
    onFailure: (message: string) => void,
    make: (file: AppendFile) => { cast?: AsciicastWriter; recording: T },
  ): Promise<RecordingStart<T>> {
    const started = new Date(record.startTime);
    const rel = `${started.getUTCFullYear()}/${String(started.getUTCMonth() + 1).padStart(2, '0')}/${record.sessionId}.${EXTENSION[format]}`;
    const row = { sessionId: record.sessionId, protocol: record.protocol === 'rdp' ? ('rdp' as const) : ('ssh' as const), format, file: rel, vm: record.targetResourceId, user: record.principalName, userName: record.userName, start: record.startTime };
    // Failures while starting are answered by the start itself, not by `onFailure` (no session to act on yet).
    let starting = true;
    let file: AppendFile;
    try {
      await this.store.insert(row);
      const onError = (err: Error): void => {
        if (!starting) void this.failed(row, err, file).then(() => onFailure(this.failureMessage(err)));
      };
      file = await AppendFile.create(this.pathOf(row), onError, { ...this.settings.file, ...(format === 'asciicast' ? { lastFrameEnd: lastLineEnd } : {}) });
    } catch (err) {
      await this.failed(row, err as Error);
      return { ok: false, message: this.failureMessage(err as Error) };
    }
    const made = make(file);
    // The header is on disk, synced, before the session is `ready`: a crash from then on leaves a playable file.
    await file.durable();
    starting = false;
    if (file.failed) {
      const err = file.failed;
      await file.close();
      // Not even the header: no file is kept (an empty one would not play); the row says so.
      if (file.written === 0) await rm(this.pathOf(row), { force: true }).catch(() => undefined);
      await this.failed(row, err, file);
      return { ok: false, message: this.failureMessage(err) };
    }
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        await made.recording.close().catch(() => undefined);
        this.live.delete(record.sessionId);
        await this.store.finish(record.sessionId, new Date().toISOString(), file.written).catch((err: unknown) => this.log.error({ err, sessionId: record.sessionId }, 'recording index: end not written'));
      })());
    this.live.set(record.sessionId, { file, ...(made.cast ? { cast: made.cast } : {}), close });
    // The taps run inside the relays: a bug in a writer must end the recording, never the session.
    let broken = false;
    const guarded = Object.fromEntries(
      Object.entries(made.recording).map(([name, fn]) => [
        name,
        (...args: unknown[]) => {
          if (broken) return;
          try {
            (fn as (...a: unknown[]) => void)(...args);
          } catch (err) {
            broken = true;
            void this.failed(row, err as Error).then(() => onFailure(this.failureMessage(err as Error)));
          }
        },
      ]),
    ) as unknown as T;
    return { ok: true, recording: { ...guarded, close } };
  }

  private failureMessage(err: Error): string {
    return `The session recording failed (${(err as NodeJS.ErrnoException).code ?? err.message}).`;
  }

  /**
   * Log, index and audit a recording that could not start or stopped writing. With its file: the row gets the
   * file's true size (cut back to the last complete frame) and a note of what was done to it.
   */
  private async failed(row: { sessionId: string; vm: string; format: RecordingFormat; file: string }, err: Error, file?: AppendFile): Promise<void> {
    this.log.error({ err, sessionId: row.sessionId, file: row.file }, 'session recording failed');
    const note = !file
      ? null
      : file.written === 0
        ? 'Not even the header could be written: no file was kept.'
        : file.truncateError
          ? NOTE_CUT_PENDING
          : file.cutBytes > 0
            ? `After the write error the file was cut back to its last complete frame (${file.cutBytes} bytes removed).`
            : null;
    await this.store.fail(row.sessionId, err.message, file ? { size: file.written, note } : {}).catch(() => undefined);
    await this.audit
      .write({ type: 'recording.failed', outcome: 'failure', actor: null, target: row.vm, message: `Recording of session ${row.sessionId} failed: ${err.message}. The session ${this.settings.onFailure === 'disconnect' ? 'was ended' : 'went on unrecorded'}.`, details: { sessionId: row.sessionId, format: row.format, file: row.file, error: err.message, onFailure: this.settings.onFailure } })
      .catch((e: unknown) => this.log.error({ err: e }, 'audit write failed'));
  }

  /**
   * At start-up: recordings a killed bastion left open become 'interrupted', and their files are repaired so
   * that every one plays (repair.ts: an empty cast gets its header, a cut line is removed); failed ones whose
   * partial frame could not be cut then (NOTE_CUT_PENDING) are cut now. Each row gets the true size and a note.
   */
  async recoverInterrupted(now = new Date()): Promise<number> {
    const open = await this.store.open();
    for (const row of open) {
      if (this.live.has(row.sessionId)) continue;
      const { size, note } = await this.repair(row);
      await this.store.interrupted(row.sessionId, now.toISOString(), size, note);
    }
    for (const row of await this.store.cutPending()) {
      if (this.live.has(row.sessionId)) continue;
      const { size, note } = await this.repair(row);
      await this.store.repaired(row.sessionId, size, note ?? 'The partial frame left by the write error was already gone at start-up.');
    }
    return open.length;
  }

  private async repair(row: RecordingRow): Promise<{ size: number; note: string | null }> {
    try {
      return await repairRecording(this.pathOf(row), row);
    } catch (err) {
      this.log.warn({ err, sessionId: row.sessionId, file: row.file }, 'recording not repaired');
      return { size: row.size, note: `The file could not be repaired at start-up (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).` };
    }
  }

  /** Deletes ended recordings that started more than `retentionDays` ago (files and rows). */
  async prune(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.settings.retentionDays * DAY_MS).toISOString();
    let deleted = 0;
    for (;;) {
      const batch = await this.store.expired(before, 200);
      for (const row of batch) {
        await rm(this.pathOf(row), { force: true });
        await this.store.delete(row.sessionId);
        deleted++;
        await this.audit
          .write({ type: 'recording.deleted', outcome: 'success', actor: null, target: row.vm, message: `Recording of session ${row.sessionId} (${row.start}) deleted: older than the retention of ${this.settings.retentionDays} days.`, details: { sessionId: row.sessionId, format: row.format, start: row.start, retentionDays: this.settings.retentionDays } })
          .catch((err: unknown) => this.log.error({ err }, 'audit write failed'));
      }
      if (batch.length < 200) return deleted;
    }
  }

  /** Prunes now and then daily; the timer does not keep the process alive and stops in `dispose`. */
  async startRetention(): Promise<void> {
    await this.prune();
    this.timer = setInterval(() => void this.prune().catch((err: unknown) => this.log.error({ err }, 'recording retention failed')), DAY_MS);
    this.timer.unref();
  }

  /** Stops the retention timer and closes every recording still open (their sessions are ending). */
  async dispose(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.live.values()].map((l) => l.close()));
  }
}
