/**
 * TPKT (RFC 1006) framing and the few X.224 facts the relay needs (MS-RDPBCGR 2.2.1.1/2.2.1.2): is this a
 * Connection Request / Confirm, and did the server refuse the security negotiation. The relay forwards
 * both PDUs unchanged; it reads them only to bound their size and to report failures precisely.
 */

/** A Connection Confirm is 11–19 bytes in practice; cap generously but firmly. */
export const MAX_X224_PDU = 1024;

const TPKT_VERSION = 3;
const X224_CR = 0xe0;
const X224_CC = 0xd0;
const NEG_RSP = 0x02;
const NEG_FAILURE = 0x03;

/** Security protocols (RDP_NEG_REQ/RSP flags). */
export const RDP_SECURITY = { RDP: 0, SSL: 1, HYBRID: 2, RDSTLS: 4, HYBRID_EX: 8 } as const;

export type TpktRead = { kind: 'incomplete' } | { kind: 'frame'; frame: Uint8Array; rest: Uint8Array } | { kind: 'invalid'; error: string };

/** One TPKT frame from the start of `buf`, refusing a bad header or a length above `cap` at once. */
export function readTpkt(buf: Uint8Array, cap: number = MAX_X224_PDU): TpktRead {
  if (buf.length < 4) return { kind: 'incomplete' };
  if (buf[0] !== TPKT_VERSION || buf[1] !== 0) return { kind: 'invalid', error: `not a TPKT header (${hex(buf.subarray(0, 4))})` };
  const length = (buf[2]! << 8) | buf[3]!;
  if (length < 7) return { kind: 'invalid', error: `TPKT length ${length} is too short` };
  if (length > cap) return { kind: 'invalid', error: `TPKT length ${length} exceeds ${cap}` };
  if (buf.length < length) return { kind: 'incomplete' };
  return { kind: 'frame', frame: buf.slice(0, length), rest: buf.subarray(length) };
}

/** Checks the client's X.224 Connection Request carried in the RDCleanPath request. */
export function checkConnectionRequest(pdu: Uint8Array): string | undefined {
  const r = readTpkt(pdu);
  if (r.kind === 'incomplete') return 'the X.224 Connection Request is truncated';
  if (r.kind === 'invalid') return `the X.224 Connection Request is malformed: ${r.error}`;
  if (r.rest.length !== 0) return 'the X.224 Connection Request has trailing bytes';
  if ((r.frame[5]! & 0xf0) !== X224_CR) return 'x224_connection_pdu is not an X.224 Connection Request';
  return undefined;
}

export type ConfirmInfo =
  | { kind: 'accepted'; selectedProtocol: number }
  /** RDP_NEG_FAILURE (e.g. 5 = HYBRID_REQUIRED_BY_SERVER) or a server that only speaks standard RDP security. */
  | { kind: 'refused'; failureCode: number | null; message: string }
  | { kind: 'invalid'; message: string };

/** What the server's Connection Confirm says. */
export function parseConnectionConfirm(frame: Uint8Array): ConfirmInfo {
  if (frame.length < 11 || (frame[5]! & 0xf0) !== X224_CC) return { kind: 'invalid', message: 'the server did not answer with an X.224 Connection Confirm' };
  if (frame.length < 19) return { kind: 'refused', failureCode: null, message: 'the server offers only standard RDP security (no TLS), which the relay cannot use' };
  const type = frame[11];
  const value = (frame[15]! | (frame[16]! << 8) | (frame[17]! << 16) | (frame[18]! << 24)) >>> 0;
  if (type === NEG_FAILURE) return { kind: 'refused', failureCode: value, message: `the server refused the security negotiation (${negFailureName(value)})` };
  if (type !== NEG_RSP) return { kind: 'invalid', message: `unknown negotiation type ${String(type)} in the Connection Confirm` };
  if (value === RDP_SECURITY.RDP) return { kind: 'refused', failureCode: null, message: 'the server selected standard RDP security (no TLS), which the relay cannot use' };
  return { kind: 'accepted', selectedProtocol: value };
}

const NEG_FAILURES: Record<number, string> = {
  1: 'SSL_REQUIRED_BY_SERVER',
  2: 'SSL_NOT_ALLOWED_BY_SERVER',
  3: 'SSL_CERT_NOT_ON_SERVER',
  4: 'INCONSISTENT_FLAGS',
  5: 'HYBRID_REQUIRED_BY_SERVER',
  6: 'SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER',
};
const negFailureName = (code: number): string => NEG_FAILURES[code] ?? `failure code ${code}`;

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Builds a Connection Request with RDP_NEG_REQ (tests and probes; the browser builds its own). */
export function connectionRequest(requestedProtocols: number, cookie?: string): Uint8Array {
  const cookieBytes = cookie === undefined ? new Uint8Array(0) : new TextEncoder().encode(`Cookie: mstshash=${cookie}\r\n`);
  const length = 4 + 7 + cookieBytes.length + 8;
  const out = new Uint8Array(length);
  out.set([TPKT_VERSION, 0, length >> 8, length & 0xff, length - 5, X224_CR, 0, 0, 0, 0, 0]);
  out.set(cookieBytes, 11);
  const neg = 11 + cookieBytes.length;
  out.set([0x01, 0, 8, 0, requestedProtocols & 0xff, (requestedProtocols >> 8) & 0xff, 0, 0], neg);
  return out;
}

/**
 * RDP_PRECONNECTION_PDU_V2 (MS-RDPEPS 2.2.1.2) carrying the RDCleanPath `preconnection_blob` string, as
 * Devolutions Gateway sends it: Id 0, the string as null-terminated UTF-16LE. Sent before the X.224 request
 * (Hyper-V consoles and some brokers pick the target from it).
 */
export function preconnectionPdu(blob: string): Uint8Array {
  const chars = blob.length + 1;
  const size = 16 + 2 + chars * 2;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, size, true);
  view.setUint32(4, 0, true);
  view.setUint32(8, 2, true);
  view.setUint32(12, 0, true);
  view.setUint16(16, chars, true);
  for (let i = 0; i < blob.length; i++) view.setUint16(18 + i * 2, blob.charCodeAt(i), true);
  return out;
}

/** The user name in the Connection Request's routing cookie ("Cookie: mstshash=<name>\r\n"), if any. */
export function mstshashOf(request: Uint8Array): string | undefined {
  const text = String.fromCharCode(...request.subarray(11, Math.min(request.length, 11 + 256)));
  const m = /^Cookie: mstshash=([^\r\n]{1,128})\r\n/.exec(text);
  return m?.[1];
}
