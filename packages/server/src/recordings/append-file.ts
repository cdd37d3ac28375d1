import { mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FlushTick, SyncLimiter } from './append-scheduling.js';

export { FlushTick, SyncLimiter } from './append-scheduling.js';

/** The part of a `FileHandle` the writer uses (tests pass a fake to simulate a full disk). */
export interface AppendTarget {
  write(buffer: Uint8Array): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  close(): Promise<void>;
  /** Cuts the file back to `length` after a failed write (a FileHandle has it; test fakes may not). */
  truncate?(length: number): Promise<void>;
}

export interface AppendFileOptions {
  /**
   * Appended bytes reach the file at most this long after `append` (one write per batch): the period of the
   * shared flush tick the file joins (`FlushTick.shared(flushMs)`). Default 100 ms.
   */
  flushMs?: number;
  /**
   * fdatasync at most this often while data flows, once more after a pause, and on close. A due sync waits
   * its turn in the process-wide `SyncLimiter` (at most 2 in flight), so under load it comes later. Default 5000 ms.
   */
  syncMs?: number;
  /**
   * Above this many bytes waiting for the disk the file fails instead of growing memory (a stalled disk).
   * Default 16 MiB: the relays' flow control keeps a healthy session far below it.
   */
  maxPendingBytes?: number;
  /** Queued bytes that trigger a write at once rather than at the tick. Default 256 KiB. */
  batchBytes?: number;
  /** ms clock for the sync interval (tests). */
  now?: () => number;
  /** The flush tick to join (tests); default the process-wide one for `flushMs`. */
  tick?: FlushTick;
  /** The fdatasync limiter to queue in (tests); default the process-wide one. */
  syncLimiter?: SyncLimiter;
  /**
   * Where the last complete frame ends in the first bytes of a batch that a write error cut short (a batch is
   * whole frames, so without it the file goes back to the batch's start). asciicast: after the last newline.
   */
  lastFrameEnd?: (partial: Buffer) => number;
}

/**
 * Creates `dir` one level at a time: Node's recursive mkdir reports ENOENT where the file system said EROFS
 * (a read-only recordings folder), and the user is told the real reason.
 */
async function mkdirEach(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; !(await stat(d).then(() => true, () => false)) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing) await mkdir(d, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? undefined : Promise.reject(err)));
}

const INITIAL_SLAB = 64 * 1024;
/** A slab that grew beyond this (a burst) is dropped after its write rather than kept for reuse. */
const KEEP_SLAB = 1024 * 1024;

/**
 * An append-only file written in batches: appended bytes are copied into a slab; the process-wide flush tick
 * writes the slab with one write (≤ `flushMs` after the first byte), or it goes at once when it holds
 * `batchBytes`. Written bytes are fdatasync'ed at most every `syncMs` while data flows and once after a
 * pause, through the process-wide `SyncLimiter` (≤ 2 in flight, each file queued once, FIFO), and on close.
 * Two slabs take turns (one filling, one being written), so a steady stream allocates nothing. A process
 * crash loses at most the last batch and leaves whole earlier batches; a power loss what was not yet synced
 * (design 0006, Crash safety). After the first error (disk full, I/O error) nothing more is written and
 * `onError` is called once; what was written stays.
 */
export class AppendFile {
  private slab: Buffer = Buffer.allocUnsafe(INITIAL_SLAB);
  private used = 0;
  private spare: Buffer | undefined;
  private inflight: Buffer | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** A writeBatch is chained and has not started: it will take whatever the slab holds then. */
  private batchQueued = false;
  private ticking = false;
  private syncQueued = false;
  /** The sync job running now (from the limiter), which close waits for. */
  private syncing: Promise<void> | undefined;
  /** Bytes covered by a completed fdatasync. */
  private synced = 0;
  private lastSync: number;
  private closed = false;
  private closedFile = false;
  private _written = 0;
  private _failed: Error | undefined;
  private readonly syncMs: number;
  private readonly maxPending: number;
  private readonly batchBytes: number;
  private readonly now: () => number;
  private readonly tick: FlushTick;
  private readonly limiter: SyncLimiter;
  private readonly lastFrameEnd: (partial: Buffer) => number;
  private _truncateError: Error | undefined;
  private _cutBytes = 0;

  constructor(
    private readonly target: AppendTarget,
    private readonly onError: (err: Error) => void,
    opts: AppendFileOptions = {},
  ) {
    this.syncMs = opts.syncMs ?? 5000;
    this.maxPending = opts.maxPendingBytes ?? 16 * 1024 * 1024;
    this.batchBytes = opts.batchBytes ?? 256 * 1024;
    this.now = opts.now ?? Date.now;
    this.tick = opts.tick ?? FlushTick.shared(opts.flushMs ?? 100);
    this.limiter = opts.syncLimiter ?? SyncLimiter.shared();
    this.lastFrameEnd = opts.lastFrameEnd ?? (() => 0);
    this.lastSync = this.now();
  }

  /** Creates the file (and its folders) exclusively, mode 0600: a recording never overwrites another. */
  static async create(path: string, onError: (err: Error) => void, opts: AppendFileOptions = {}): Promise<AppendFile> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 }).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? mkdirEach(dirname(path)) : Promise.reject(err)));
    const handle = await open(path, 'wx', 0o600);
    return new AppendFile(handle, onError, opts);
  }

  /** Bytes whose write completed (the file's length as far as this writer knows). */
  get written(): number {
    return this._written;
  }

  get failed(): Error | undefined {
    return this._failed;
  }

  /**
   * Set when a write error cut a batch and the file could not be cut back to its last complete frame (a file
   * system gone read-only refuses ftruncate too): then the file holds `written` bytes plus a partial frame,
   * which the next start-up repair removes.
   */
  get truncateError(): Error | undefined {
    return this._truncateError;
  }

  /** Bytes of a partial frame removed after a write error (0: none were on disk, or the cut was refused). */
  get cutBytes(): number {
    return this._cutBytes;
  }

  /** True while appends are taken (not closed, not failed). */
  get open(): boolean {
    return !this.closed && !this._failed;
  }

  /** Appends bytes, or text as UTF-8. */
  append(data: Uint8Array | string): void {
    if (!this.open || data.length === 0) return;
    const size = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
    const { buf, at } = this.reserve(size);
    if (typeof data === 'string') buf.write(data, at, 'utf8');
    else buf.set(data, at);
    this.commit(size);
  }

  /**
   * Room for up to `max` bytes at `buf[at]`, for a writer that encodes in place; `commit(n)` then appends
   * the first `n`. Nothing else may be appended in between.
   */
  reserve(max: number): { buf: Buffer; at: number } {
    if (this.used + max > this.slab.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.slab.length * 2, this.used + max));
      this.slab.copy(grown, 0, 0, this.used);
      this.slab = grown;
    }
    return { buf: this.slab, at: this.used };
  }

  commit(n: number): void {
    if (!this.open || n <= 0) return;
    this.used += n;
    if (this.used > this.maxPending) return this.fail(new Error(`more than ${this.maxPending} bytes waiting for the disk`));
    // A full batch goes now (behind the write in progress, if any): memory stays near two batches.
    if (this.used >= this.batchBytes && !this.batchQueued) void this.flush();
    else this.startTicking();
  }

  /**
   * What a reader joining now must combine: the first `fileBytes` bytes on disk (final, the file only grows),
   * then `tail` (being written or queued; a copy). Anything appended afterwards comes later, in order.
   */
  snapshot(): { fileBytes: number; tail: Buffer } {
    return { fileBytes: this._written, tail: Buffer.concat([this.inflight ?? Buffer.alloc(0), this.slab.subarray(0, this.used)]) };
  }

  /** Writes what is queued now; resolves when it is on its way to the disk (written, maybe not synced). */
  flush(): Promise<void> {
    this.batchQueued = true;
    this.chain = this.chain.then(() => this.writeBatch());
    return this.chain;
  }

  /**
   * Writes what is queued and fdatasyncs it through the limiter (a session's header before its `ready`:
   * then a crash at any later moment leaves a playable file). Resolves either way; `failed` says how it went.
   */
  async durable(): Promise<void> {
    await this.flush();
    if (!this.open || this._written <= this.synced) return;
    await this.limiter.run(this, () => this.queuedSync()).catch(() => undefined);
  }

  /** Flushes, syncs (directly, not behind other files' syncs) and closes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    this.stopTicking();
    await this.flush();
    this.chain = this.chain.then(async () => {
      await this.syncing; // a sync already running on this file; a queued one will see `closed` and skip
      if (!this._failed && !this.closedFile && this._written > this.synced) await this.sync();
      this.closedFile = true;
      await this.target.close().catch(() => undefined);
    });
    return this.chain;
  }

  /** Called by the flush tick: write what is queued, ask for a sync when one is due; false: no more ticks needed. */
  onTick(): boolean {
    if (!this.open) return (this.ticking = false);
    if (this.used > 0) {
      if (!this.batchQueued) void this.flush();
    } else if (this._written > this.synced && !this.syncQueued && !this.syncing && this.now() - this.lastSync >= this.syncMs) {
      this.syncQueued = true;
      void this.limiter.run(this, () => this.queuedSync()).catch(() => undefined);
    }
    // Keep ticking while bytes wait for a write or written bytes for a sync (the sync after a pause).
    this.ticking = this.used > 0 || this.batchQueued || this._written > this.synced;
    return this.ticking;
  }

  private startTicking(): void {
    if (this.ticking) return;
    this.ticking = true;
    this.tick.add(this);
  }

  private stopTicking(): void {
    if (!this.ticking) return;
    this.ticking = false;
    this.tick.delete(this);
  }

  private async writeBatch(): Promise<void> {
    this.batchQueued = false;
    if (this._failed || this.used === 0) return;
    const full = this.slab;
    const batch = full.subarray(0, this.used);
    this.inflight = batch;
    this.slab = this.spare ?? Buffer.allocUnsafe(INITIAL_SLAB);
    this.spare = undefined;
    this.used = 0;
    let at = 0;
    try {
      while (at < batch.length) at += (await this.target.write(batch.subarray(at))).bytesWritten;
      // Written: from now on these bytes are the file's, not the tail's (a reader joining must not get them twice).
      this._written += batch.length;
      this.inflight = undefined;
      if (full.length <= KEEP_SLAB) this.spare = full;
      // The tick syncs it when due (a batch written at once, past `batchBytes`, may find the tick stopped).
      if (!this.closed) this.startTicking();
    } catch (err) {
      this.inflight = undefined;
      // A full disk takes part of a batch before refusing the rest: keep the whole frames of that part, cut
      // the partial one, and count exactly what stays, so the file stays playable and the index true.
      if (at > 0) await this.cutBack(this._written + Math.min(at, this.lastFrameEnd(batch.subarray(0, at))), this._written + at);
      this.fail(err as Error);
    }
  }

  private async cutBack(keep: number, onDisk: number): Promise<void> {
    if (keep < onDisk) {
      try {
        if (!this.target.truncate) throw new Error('the file cannot be truncated');
        await this.target.truncate(keep);
        this._cutBytes = onDisk - keep;
      } catch (err) {
        this._truncateError = err as Error;
        this._written = onDisk;
        return;
      }
    }
    this._written = keep;
  }

  /** The limiter's job for this file: skipped when the file closed or failed meanwhile (close syncs itself). */
  private async queuedSync(): Promise<void> {
    this.syncQueued = false;
    if (this.closed || this._failed) return;
    this.syncing = this.sync();
    try {
      await this.syncing;
    } finally {
      this.syncing = undefined;
    }
  }

  private async sync(): Promise<void> {
    if (this._failed || this.closedFile) return;
    const upTo = this._written;
    this.lastSync = this.now();
    try {
      await this.target.datasync();
      this.synced = Math.max(this.synced, upTo);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    if (this._failed) return;
    this._failed = err;
    this.stopTicking();
    this.used = 0;
    this.onError(err);
  }
}
