/**
 * `rdpcap` v1: the capture of one browser RDP session's plaintext stream, as the relay carried it
 * (design 0006). Append-only; every integer big-endian (network order). Pure bytes in and out, no Node or
 * DOM types, so the server writes it and the browser player will read it.
 *
 * File header (24 + n bytes):
 *   | magic 8: 89 52 44 50 43 41 50 0A ("\x89RDPCAP\n") | version u16 = 1 | flags u16 |
 *   | startTime u64 (Unix ms) | metaLength u32 | metadata: n bytes of UTF-8 JSON |
 * Records (9 + length bytes each):
 *   | offsetMs u32 (since startTime) | direction u8 | length u32 | bytes |
 *   direction 1 = client → VM, 2 = VM → client, 0 = end of capture (length 0, written on a clean close).
 *
 * A file cut short (crash, disk full) ends with a partial record at most: readers return every whole record
 * and report the rest as truncated. The magic's first byte has the high bit set and the last is "\n", so
 * 7-bit or line-ending conversions are detected (PNG's trick).
 */

export const RDPCAP_MAGIC = Uint8Array.from([0x89, 0x52, 0x44, 0x50, 0x43, 0x41, 0x50, 0x0a]);
export const RDPCAP_VERSION = 1;
export const RDPCAP_HEADER_SIZE = 24;
export const RDPCAP_RECORD_HEADER_SIZE = 9;
/** Flag bit 0: the capture starts after the CredSSP (NLA) exchange, which is never written (design 0006). */
export const RDPCAP_FLAG_AFTER_CREDSSP = 1;
/** No record is larger: the relay's chunks are at most 64 KiB; a bigger claim means a corrupt file. */
export const RDPCAP_MAX_RECORD = 16 * 1024 * 1024;
export const RDPCAP_MAX_META = 64 * 1024;

export const RDPCAP_DIRECTION = { END: 0, CLIENT_TO_SERVER: 1, SERVER_TO_CLIENT: 2 } as const;
export type RdpcapDirection = (typeof RDPCAP_DIRECTION)[keyof typeof RDPCAP_DIRECTION];

export interface RdpcapHeader {
  version: number;
  flags: number;
  /** Unix ms. */
  startTime: number;
  /** The metadata JSON's UTF-8 bytes (the reader does not decode text: no TextDecoder in this layer). */
  meta: Uint8Array;
}

export interface RdpcapRecord {
  offsetMs: number;
  direction: RdpcapDirection;
  data: Uint8Array;
}

export type RdpcapReadResult =
  | { ok: true; header: RdpcapHeader; records: RdpcapRecord[]; /** An end record was found. */ complete: boolean; /** Bytes of a partial record at the end. */ truncatedBytes: number }
  | { ok: false; error: string };

export function encodeRdpcapHeader(startTime: number, flags: number, meta: Uint8Array): Uint8Array {
  const out = new Uint8Array(RDPCAP_HEADER_SIZE + meta.length);
  const view = new DataView(out.buffer);
  out.set(RDPCAP_MAGIC, 0);
  view.setUint16(8, RDPCAP_VERSION);
  view.setUint16(10, flags);
  view.setBigUint64(12, BigInt(Math.max(0, Math.floor(startTime))));
  view.setUint32(20, meta.length);
  out.set(meta, RDPCAP_HEADER_SIZE);
  return out;
}

/** The 9-byte header of a record whose `length` bytes follow. */
export function encodeRdpcapRecordHeader(offsetMs: number, direction: RdpcapDirection, length: number): Uint8Array {
  const out = new Uint8Array(RDPCAP_RECORD_HEADER_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.min(0xffffffff, Math.max(0, Math.floor(offsetMs))));
  view.setUint8(4, direction);
  view.setUint32(5, length);
  return out;
}

/** Reads a whole capture (or the readable part of a truncated one). Never throws. */
export function readRdpcap(bytes: Uint8Array): RdpcapReadResult {
  if (bytes.length < RDPCAP_HEADER_SIZE) return { ok: false, error: 'too short for an rdpcap header' };
  for (let i = 0; i < RDPCAP_MAGIC.length; i++) if (bytes[i] !== RDPCAP_MAGIC[i]) return { ok: false, error: 'not an rdpcap file (bad magic)' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(8);
  if (version !== RDPCAP_VERSION) return { ok: false, error: `unsupported rdpcap version ${version}` };
  const metaLength = view.getUint32(20);
  if (metaLength > RDPCAP_MAX_META) return { ok: false, error: 'metadata too large' };
  if (bytes.length < RDPCAP_HEADER_SIZE + metaLength) return { ok: false, error: 'truncated in the header' };
  const header: RdpcapHeader = { version, flags: view.getUint16(10), startTime: Number(view.getBigUint64(12)), meta: bytes.slice(RDPCAP_HEADER_SIZE, RDPCAP_HEADER_SIZE + metaLength) };
  const records: RdpcapRecord[] = [];
  let at = RDPCAP_HEADER_SIZE + metaLength;
  let complete = false;
  while (at < bytes.length) {
    if (bytes.length - at < RDPCAP_RECORD_HEADER_SIZE) break;
    const offsetMs = view.getUint32(at);
    const direction = view.getUint8(at + 4);
    const length = view.getUint32(at + 5);
    if (direction > 2) return { ok: false, error: `bad direction ${direction} at byte ${at}` };
    if (length > RDPCAP_MAX_RECORD) return { ok: false, error: `record of ${length} bytes at byte ${at} exceeds the limit` };
    if (bytes.length - at - RDPCAP_RECORD_HEADER_SIZE < length) break;
    const start = at + RDPCAP_RECORD_HEADER_SIZE;
    if (direction === RDPCAP_DIRECTION.END) complete = true;
    else records.push({ offsetMs, direction: direction as RdpcapDirection, data: bytes.slice(start, start + length) });
    at = start + length;
  }
  return { ok: true, header, records, complete, truncatedBytes: bytes.length - at };
}
