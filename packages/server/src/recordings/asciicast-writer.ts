import type { AsciicastHeader } from '../../../protocol/src/recordings.js';
import type { AppendFile } from './append-file.js';
import { Utf8JsonEscaper } from './utf8-json.js';

export interface AsciicastWriterOptions {
  /** Record keystrokes as "i" events (off by default: they include passwords typed at prompts). */
  input?: boolean;
  /** ms clock (tests). */
  now?: () => number;
}

/** Receives every line (with its newline) in the order it is appended to the file. */
export type CastListener = (text: string) => void;

const CLOSE = Buffer.from('"]\n');

/** The first line of a cast (with its newline): also what start-up repair writes into an empty file. */
export function asciicastHeaderLine(header: Omit<AsciicastHeader, 'version' | 'timestamp' | 'env'>, startMs: number): string {
  const full: AsciicastHeader = { version: 2, width: header.width, height: header.height, timestamp: Math.floor(startMs / 1000), env: { TERM: 'xterm-256color' }, title: header.title };
  return `${JSON.stringify(full)}\n`;
}

/** Where the last whole line ends in bytes of a cast (AppendFile's `lastFrameEnd`): after its last newline. */
export const lastLineEnd = (bytes: Buffer): number => bytes.lastIndexOf(0x0a) + 1;

/**
 * Writes one SSH session as asciicast v2, one line per event, through an AppendFile (batched, crash-safe).
 * Terminal bytes are decoded and JSON-escaped straight into the file's buffer by a streaming UTF-8 decoder
 * per direction (utf8-json.ts): a character split between two chunks is emitted whole with the later chunk,
 * so every event holds a valid string, and a fast session makes no garbage per chunk. Listeners (live
 * watchers) get each line as it is appended.
 */
export class AsciicastWriter {
  private readonly out = new Utf8JsonEscaper();
  private readonly inp = new Utf8JsonEscaper();
  private readonly listeners = new Set<CastListener>();
  private readonly endListeners = new Set<() => void>();
  private readonly startMs: number;
  private readonly now: () => number;
  private size: string;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly file: AppendFile,
    header: Omit<AsciicastHeader, 'version' | 'timestamp' | 'env'>,
    private readonly opts: AsciicastWriterOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.startMs = this.now();
    this.size = `${header.width}x${header.height}`;
    this.line(asciicastHeaderLine(header, this.startMs));
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** VM → terminal bytes. */
  output(chunk: Uint8Array): void {
    if (!this.closing) this.bytes('o', this.out, chunk);
  }

  /** Terminal → VM bytes; dropped unless input recording is on. */
  input(chunk: Uint8Array): void {
    if (!this.closing && this.opts.input) this.bytes('i', this.inp, chunk);
  }

  resize(cols: number, rows: number): void {
    const size = `${cols}x${rows}`;
    if (this.closing || size === this.size) return;
    this.size = size;
    this.line(`[${this.seconds()},"r","${size}"]\n`);
  }

  /**
   * Adds a live reader: `fileBytes` and `tail` are what it must send first (the file's first bytes on disk,
   * then the rest), and `listener` gets every later line. Together, in that order, they are the whole cast
   * without gap or repeat.
   */
  join(listener: CastListener, onEnd: () => void): { fileBytes: number; tail: Buffer; leave(): void } {
    const snap = this.file.snapshot();
    this.listeners.add(listener);
    this.endListeners.add(onEnd);
    return {
      ...snap,
      leave: () => {
        this.listeners.delete(listener);
        this.endListeners.delete(onEnd);
      },
    };
  }

  /** Emits what the decoders still hold (an incomplete character becomes U+FFFD), then closes the file. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.bytes('o', this.out, new Uint8Array(0), true);
    if (this.opts.input) this.bytes('i', this.inp, new Uint8Array(0), true);
    this.closing = this.file.close().finally(() => {
      for (const end of this.endListeners) end();
      this.listeners.clear();
      this.endListeners.clear();
    });
    return this.closing;
  }

  private seconds(): number {
    return Math.round(this.now() - this.startMs) / 1000;
  }

  /** `[t,"o","<escaped>"]\n` encoded in place; nothing when the chunk completed no character. */
  private bytes(code: 'o' | 'i', escaper: Utf8JsonEscaper, chunk: Uint8Array, final = false): void {
    if (!this.file.open) {
      // Still decoded for watchers: a failed file must not blind a live view.
      if (this.listeners.size === 0) return;
    }
    const prefix = `[${this.seconds()},"${code}","`;
    const { buf, at } = this.file.reserve(prefix.length + Utf8JsonEscaper.maxLength(chunk.length) + CLOSE.length);
    buf.write(prefix, at, 'latin1');
    const n = final ? escaper.finish(buf, at + prefix.length) : escaper.escapeInto(chunk, buf, at + prefix.length);
    if (n === 0) return;
    CLOSE.copy(buf, at + prefix.length + n);
    const length = prefix.length + n + CLOSE.length;
    if (this.listeners.size > 0) {
      const text = buf.toString('utf8', at, at + length);
      for (const l of this.listeners) l(text);
    }
    this.file.commit(length);
  }

  private line(text: string): void {
    this.file.append(text);
    for (const l of this.listeners) l(text);
  }
}
