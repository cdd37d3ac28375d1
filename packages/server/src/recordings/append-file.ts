import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The part of a `FileHandle` the writer uses (tests pass a fake to simulate a full disk). */
export interface AppendTarget {
  write(buffer: Uint8Array): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export interface AppendFileOptions {
  /** Appended bytes reach the file at most this long after `append` (one write per batch). Default 100 ms. */
  flushMs?: number;
  /** fdatasync at most this often while data flows, and on close. Default 1000 ms. */
  syncMs?: number;
  /**
   * Above this many bytes waiting for the disk the file fails instead of growing memory (a stalled disk).
   * Default 16 MiB: the relays' flow control keeps a healthy session far below it.
   */
  maxPendingBytes?: number;
  /** Queued bytes that trigger a write at once rather than at the timer. Default 256 KiB. */
  batchBytes?: number;
  /** ms clock for the sync interval (tests). */
  now?: () => number;
}

const INITIAL_SLAB = 64 * 1024;
/** A slab that grew beyond this (a burst) is dropped after its write rather than kept for reuse. */
const KEEP_SLAB = 1024 * 1024;

/**
 * An append-only file written in batches: appended bytes are copied into a slab; a timer writes the slab
 * with one write (≤ `flushMs` after the first byte, or at once when it holds `batchBytes`), and an
 * fdatasync follows at most every `syncMs`, and after a pause. Two slabs take turns (one filling, one being
 * written), so a steady stream allocates nothing. A crash loses at most the last batch and leaves whole
 * earlier batches. After the first error (disk full, I/O error) nothing more is written and `onError` is
 * called once; what was written stays.
 */
export class AppendFile {
  private slab: Buffer = Buffer.allocUnsafe(INITIAL_SLAB);
  private used = 0;
  private spare: Buffer | undefined;
  private inflight: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private batchQueued = false;
  private lastSync: number;
  private closed = false;
  private closedFile = false;
  private _written = 0;
  private _failed: Error | undefined;
  private readonly flushMs: number;
  private readonly syncMs: number;
  private readonly maxPending: number;
  private readonly batchBytes: number;
  private readonly now: () => number;

  constructor(
    private readonly target: AppendTarget,
    private readonly onError: (err: Error) => void,
    opts: AppendFileOptions = {},
  ) {
    this.flushMs = opts.flushMs ?? 100;
    this.syncMs = opts.syncMs ?? 1000;
    this.maxPending = opts.maxPendingBytes ?? 16 * 1024 * 1024;
    this.batchBytes = opts.batchBytes ?? 256 * 1024;
    this.now = opts.now ?? Date.now;
    this.lastSync = this.now();
  }

  /** Creates the file (and its folders) exclusively, mode 0600: a recording never overwrites another. */
  static async create(path: string, onError: (err: Error) => void, opts: AppendFileOptions = {}): Promise<AppendFile> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
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
    if (this.used >= this.batchBytes && !this.batchQueued) {
      // A full batch goes now (behind the write in progress, if any): memory stays near two batches.
      this.batchQueued = true;
      void this.flush();
    } else if (!this.timer && !this.batchQueued) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
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
    clearTimeout(this.timer);
    this.timer = undefined;
    this.chain = this.chain.then(() => this.writeBatch());
    return this.chain;
  }

  /** Flushes, syncs and closes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    await this.flush();
    this.chain = this.chain.then(async () => {
      await this.sync();
      this.closedFile = true;
      await this.target.close().catch(() => undefined);
    });
    return this.chain;
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
    try {
      let at = 0;
      while (at < batch.length) at += (await this.target.write(batch.subarray(at))).bytesWritten;
      // Written: from now on these bytes are the file's, not the tail's (a reader joining must not get them twice).
      this._written += batch.length;
      this.inflight = undefined;
      if (full.length <= KEEP_SLAB) this.spare = full;
      if (this.now() - this.lastSync >= this.syncMs) await this.sync();
      else if (!this.syncTimer) {
        // The last batch before a pause is synced too, a little later.
        this.syncTimer = setTimeout(() => {
          this.syncTimer = undefined;
          this.chain = this.chain.then(() => this.sync());
        }, this.syncMs);
        this.syncTimer.unref();
      }
    } catch (err) {
      this.inflight = undefined;
      this.fail(err as Error);
    }
  }

  private async sync(): Promise<void> {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this._failed || this.closedFile) return;
    this.lastSync = this.now();
    await this.target.datasync().catch((err: unknown) => this.fail(err as Error));
  }

  private fail(err: Error): void {
    if (this._failed) return;
    this._failed = err;
    clearTimeout(this.timer);
    clearTimeout(this.syncTimer);
    this.timer = undefined;
    this.used = 0;
    this.onError(err);
  }
}
