/**
 * The small subset of DER (ITU-T X.690) that RDCleanPath needs: single-byte tags, definite minimal
 * lengths, non-negative minimal INTEGERs, OCTET STRING, UTF8String, SEQUENCE and EXPLICIT context tags.
 * Strict on purpose: anything BER allows but DER forbids (indefinite or non-minimal lengths, padded
 * integers, high tag numbers) is refused, so one input has exactly one meaning.
 *
 * Readers never throw on bad input: they throw `DerError`, which the PDU decoder turns into a result.
 */

export const TAG = { INTEGER: 0x02, OCTET_STRING: 0x04, UTF8_STRING: 0x0c, SEQUENCE: 0x30 } as const;
/** EXPLICIT [n]: context-specific, constructed. */
export const contextTag = (n: number): number => 0xa0 | n;

/** Longest content any element may claim (the whole PDU is capped well below this by the caller). */
export const MAX_DER_LENGTH = 16 * 1024 * 1024;

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export interface Tlv {
  tag: number;
  /** Offsets into the reader's buffer. */
  start: number;
  end: number;
}

/** The header of the element at `offset`: tag, content start, content end. 'incomplete' when the header is cut. */
export function readHeader(buf: Uint8Array, offset: number): { tag: number; contentStart: number; length: number } | 'incomplete' {
  if (offset >= buf.length) return 'incomplete';
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high tag numbers are not used (tag byte 0x${tag.toString(16)})`);
  if (offset + 1 >= buf.length) return 'incomplete';
  const first = buf[offset + 1]!;
  if (first < 0x80) return { tag, contentStart: offset + 2, length: first };
  if (first === 0x80) throw new DerError('indefinite length is not allowed in DER');
  const count = first & 0x7f;
  if (count > 3) throw new DerError(`length of ${count} bytes is too long`);
  if (offset + 2 + count > buf.length) return 'incomplete';
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + buf[offset + 2 + i]!;
  if (buf[offset + 2] === 0 || length < 0x80) throw new DerError('length is not minimally encoded');
  if (length > MAX_DER_LENGTH) throw new DerError(`length ${length} exceeds ${MAX_DER_LENGTH}`);
  return { tag, contentStart: offset + 2 + count, length };
}

/** Sequential reader over one constructed element's content. */
export class DerReader {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  peekTag(): number | undefined {
    return this.done ? undefined : this.buf[this.pos];
  }

  /** The next element, which must have `tag`. */
  next(tag: number, what: string): Tlv {
    const h = readHeader(this.buf.subarray(0, this.end), this.pos);
    if (h === 'incomplete') throw new DerError(`${what}: truncated`);
    if (h.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${h.tag.toString(16)}`);
    const end = h.contentStart + h.length;
    if (end > this.end) throw new DerError(`${what}: length ${h.length} runs past its container`);
    this.pos = end;
    return { tag, start: h.contentStart, end };
  }

  /** A reader over the content of the next element (a SEQUENCE or an EXPLICIT tag). */
  enter(tag: number, what: string): DerReader {
    const tlv = this.next(tag, what);
    return new DerReader(this.buf, tlv.start, tlv.end);
  }

  finish(what: string): void {
    if (!this.done) throw new DerError(`${what}: unexpected data after the last field`);
  }

  /** A non-negative INTEGER no larger than `max`. */
  integer(what: string, max: number): number {
    const { start, end } = this.next(TAG.INTEGER, what);
    const len = end - start;
    if (len === 0) throw new DerError(`${what}: empty INTEGER`);
    const b0 = this.buf[start]!;
    if (b0 & 0x80) throw new DerError(`${what}: negative INTEGER`);
    if (len > 1 && b0 === 0 && !(this.buf[start + 1]! & 0x80)) throw new DerError(`${what}: INTEGER is not minimally encoded`);
    if (len > 7) throw new DerError(`${what}: INTEGER too large`);
    let v = 0;
    for (let i = start; i < end; i++) v = v * 256 + this.buf[i]!;
    if (v > max) throw new DerError(`${what}: ${v} is larger than ${max}`);
    return v;
  }

  octets(what: string, maxLength: number): Uint8Array {
    const { start, end } = this.next(TAG.OCTET_STRING, what);
    if (end - start > maxLength) throw new DerError(`${what}: ${end - start} bytes exceed ${maxLength}`);
    return this.buf.slice(start, end);
  }

  utf8(what: string, maxLength: number): string {
    const { start, end } = this.next(TAG.UTF8_STRING, what);
    if (end - start > maxLength) throw new DerError(`${what}: ${end - start} bytes exceed ${maxLength}`);
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(this.buf.subarray(start, end));
    } catch {
      throw new DerError(`${what}: not valid UTF-8`);
    }
  }
}

// ---- writing ------------------------------------------------------------------------------------------

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return [0x80 | out.length, ...out];
}

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

export function tlv(tag: number, content: Uint8Array | Uint8Array[]): Uint8Array {
  const body = Array.isArray(content) ? concat(content) : content;
  return concat([Uint8Array.from([tag, ...lengthBytes(body.length)]), body]);
}

export function derInteger(v: number): Uint8Array {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`DER integer out of range: ${v}`);
  const bytes: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) bytes.unshift(x % 256);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Uint8Array.from(bytes));
}

export const derUtf8 = (s: string): Uint8Array => tlv(TAG.UTF8_STRING, new TextEncoder().encode(s));
export const derOctets = (b: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, b);
export const derExplicit = (n: number, inner: Uint8Array): Uint8Array => tlv(contextTag(n), inner);
