import { contextTag, DerError, DerReader, derExplicit, derInteger, derOctets, derUtf8, readHeader, TAG, tlv } from './der.js';

/**
 * RDCleanPath (Devolutions' IronRDP, design 0004): the one PDU the browser and the relay exchange before
 * raw RDP flows. A DER SEQUENCE whose fields are all EXPLICIT context-tagged, in tag order:
 *
 * | [0] version INTEGER 3390 | [1] error SEQUENCE | [2] destination UTF8String | [3] proxy_auth UTF8String |
 * | [4] server_auth UTF8String | [5] preconnection_blob UTF8String | [6] x224_connection_pdu OCTET STRING |
 * | [7] server_cert_chain SEQUENCE OF OCTET STRING | [9] server_addr UTF8String |
 *
 * error = SEQUENCE { [0] error_code INTEGER, [1] http_status OPT, [2] wsa_last_error OPT, [3] tls_alert OPT }.
 * Decoding never throws: every malformed input is an `{ ok: false }` result naming what is wrong.
 */

export const RDCLEANPATH_VERSION = 3390;
export const RDCLEANPATH_ERROR = { GENERAL: 1, NEGOTIATION: 2 } as const;

/** Caps per field: a request is a few hundred bytes; a response carries a certificate chain. */
export const RDCLEANPATH_LIMITS = {
  /** The client's request, all of it (it must also fit one WebSocket message cap). */
  REQUEST: 64 * 1024,
  /** A response (chain included); only our own test client decodes responses. */
  RESPONSE: 512 * 1024,
  STRING: 4096,
  PRECONNECTION_BLOB: 16 * 1024,
  X224: 4096,
  CERTIFICATE: 64 * 1024,
  CHAIN_LENGTH: 16,
} as const;

export interface RdCleanPathError {
  errorCode: number;
  httpStatus?: number;
  wsaLastError?: number;
  tlsAlert?: number;
}

export interface RdCleanPathPdu {
  version: number;
  error?: RdCleanPathError;
  destination?: string;
  proxyAuth?: string;
  serverAuth?: string;
  preconnectionBlob?: string;
  x224ConnectionPdu?: Uint8Array;
  serverCertChain?: Uint8Array[];
  serverAddr?: string;
}

/** What a client sends: where to, with which token, and its X.224 Connection Request. */
export interface RdCleanPathRequest {
  destination: string;
  proxyAuth: string;
  x224ConnectionPdu: Uint8Array;
  preconnectionBlob?: string;
  serverAuth?: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

const FIELD_NAMES: Record<number, string> = { 0: 'version', 1: 'error', 2: 'destination', 3: 'proxy_auth', 4: 'server_auth', 5: 'preconnection_blob', 6: 'x224_connection_pdu', 7: 'server_cert_chain', 9: 'server_addr' };

/**
 * Framing over a byte stream: how long the PDU at the start of `buf` is, or 'incomplete' when more bytes
 * are needed. Refuses a non-SEQUENCE start or a claimed length above `max` as soon as the header shows it.
 */
export function rdCleanPathFrameLength(buf: Uint8Array, max: number): Decoded<number | 'incomplete'> {
  try {
    const h = readHeader(buf, 0);
    if (h === 'incomplete') return { ok: true, value: 'incomplete' };
    if (h.tag !== TAG.SEQUENCE) return { ok: false, error: `RDCleanPath PDU must start with a SEQUENCE, found tag 0x${h.tag.toString(16)}` };
    const total = h.contentStart + h.length;
    if (total > max) return { ok: false, error: `RDCleanPath PDU of ${total} bytes exceeds ${max}` };
    return { ok: true, value: buf.length >= total ? total : 'incomplete' };
  } catch (err) {
    return { ok: false, error: err instanceof DerError ? `RDCleanPath PDU: ${err.message}` : 'RDCleanPath PDU: malformed' };
  }
}

function decodeError(r: DerReader): RdCleanPathError {
  const e: RdCleanPathError = { errorCode: r.enter(contextTag(0), 'error.error_code').integer('error.error_code', 0xffff) };
  const opt = (n: number, what: string, max: number): number | undefined => (r.peekTag() === contextTag(n) ? r.enter(contextTag(n), what).integer(what, max) : undefined);
  const http = opt(1, 'error.http_status', 0xffff);
  const wsa = opt(2, 'error.wsa_last_error', 0xffff);
  const alert = opt(3, 'error.tls_alert', 0xff);
  if (http !== undefined) e.httpStatus = http;
  if (wsa !== undefined) e.wsaLastError = wsa;
  if (alert !== undefined) e.tlsAlert = alert;
  r.finish('error');
  return e;
}

/** Decodes exactly one PDU occupying all of `buf` (trailing bytes are an error). */
export function decodeRdCleanPath(buf: Uint8Array, max: number = RDCLEANPATH_LIMITS.REQUEST): Decoded<RdCleanPathPdu> {
  try {
    if (buf.length > max) return { ok: false, error: `RDCleanPath PDU of ${buf.length} bytes exceeds ${max}` };
    const outer = new DerReader(buf);
    const seq = outer.enter(TAG.SEQUENCE, 'RDCleanPath PDU');
    outer.finish('RDCleanPath PDU (trailing bytes)');
    const version = seq.enter(contextTag(0), 'version').integer('version', 0xffffffff);
    if (version !== RDCLEANPATH_VERSION) return { ok: false, error: `unsupported RDCleanPath version ${version} (expected ${RDCLEANPATH_VERSION})` };
    const pdu: RdCleanPathPdu = { version };
    let last = 0;
    while (!seq.done) {
      const tag = seq.peekTag()!;
      const n = tag & 0x1f;
      if ((tag & 0xe0) !== 0xa0 || !(n in FIELD_NAMES) || n === 0) throw new DerError(`unknown field tag 0x${tag.toString(16)}`);
      if (n <= last) throw new DerError(`field ${FIELD_NAMES[n]} is out of order or repeated`);
      last = n;
      const what = FIELD_NAMES[n]!;
      const f = seq.enter(tag, what);
      switch (n) {
        case 1:
          pdu.error = decodeError(f.enter(TAG.SEQUENCE, what));
          break;
        case 2:
          pdu.destination = f.utf8(what, RDCLEANPATH_LIMITS.STRING);
          break;
        case 3:
          pdu.proxyAuth = f.utf8(what, RDCLEANPATH_LIMITS.STRING);
          break;
        case 4:
          pdu.serverAuth = f.utf8(what, RDCLEANPATH_LIMITS.STRING);
          break;
        case 5:
          pdu.preconnectionBlob = f.utf8(what, RDCLEANPATH_LIMITS.PRECONNECTION_BLOB);
          break;
        case 6:
          pdu.x224ConnectionPdu = f.octets(what, RDCLEANPATH_LIMITS.X224);
          break;
        case 7: {
          const chain = f.enter(TAG.SEQUENCE, what);
          const certs: Uint8Array[] = [];
          while (!chain.done) {
            if (certs.length >= RDCLEANPATH_LIMITS.CHAIN_LENGTH) throw new DerError(`${what}: more than ${RDCLEANPATH_LIMITS.CHAIN_LENGTH} certificates`);
            certs.push(chain.octets(`${what}[${certs.length}]`, RDCLEANPATH_LIMITS.CERTIFICATE));
          }
          pdu.serverCertChain = certs;
          break;
        }
        case 9:
          pdu.serverAddr = f.utf8(what, RDCLEANPATH_LIMITS.STRING);
          break;
      }
      f.finish(what);
    }
    return { ok: true, value: pdu };
  } catch (err) {
    if (err instanceof DerError) return { ok: false, error: err.message };
    // Defence in depth: the reader only throws DerError, but a decoder must never crash its caller.
    return { ok: false, error: `malformed RDCleanPath PDU (${err instanceof Error ? err.name : 'unknown'})` };
  }
}

/** A request is a PDU with destination, proxy_auth and the X.224 request, and none of the response fields. */
export function asRequest(pdu: RdCleanPathPdu): Decoded<RdCleanPathRequest> {
  if (pdu.error || pdu.serverCertChain || pdu.serverAddr !== undefined) return { ok: false, error: 'not a request: it carries response fields' };
  if (pdu.destination === undefined) return { ok: false, error: 'request without destination' };
  if (pdu.proxyAuth === undefined) return { ok: false, error: 'request without proxy_auth (the association token)' };
  if (!pdu.x224ConnectionPdu) return { ok: false, error: 'request without x224_connection_pdu' };
  const req: RdCleanPathRequest = { destination: pdu.destination, proxyAuth: pdu.proxyAuth, x224ConnectionPdu: pdu.x224ConnectionPdu };
  if (pdu.preconnectionBlob !== undefined) req.preconnectionBlob = pdu.preconnectionBlob;
  if (pdu.serverAuth !== undefined) req.serverAuth = pdu.serverAuth;
  return { ok: true, value: req };
}

export function encodeRdCleanPath(pdu: RdCleanPathPdu): Uint8Array {
  const fields: Uint8Array[] = [derExplicit(0, derInteger(pdu.version))];
  if (pdu.error) {
    const e = pdu.error;
    const inner = [derExplicit(0, derInteger(e.errorCode))];
    if (e.httpStatus !== undefined) inner.push(derExplicit(1, derInteger(e.httpStatus)));
    if (e.wsaLastError !== undefined) inner.push(derExplicit(2, derInteger(e.wsaLastError)));
    if (e.tlsAlert !== undefined) inner.push(derExplicit(3, derInteger(e.tlsAlert)));
    fields.push(derExplicit(1, tlv(TAG.SEQUENCE, inner)));
  }
  if (pdu.destination !== undefined) fields.push(derExplicit(2, derUtf8(pdu.destination)));
  if (pdu.proxyAuth !== undefined) fields.push(derExplicit(3, derUtf8(pdu.proxyAuth)));
  if (pdu.serverAuth !== undefined) fields.push(derExplicit(4, derUtf8(pdu.serverAuth)));
  if (pdu.preconnectionBlob !== undefined) fields.push(derExplicit(5, derUtf8(pdu.preconnectionBlob)));
  if (pdu.x224ConnectionPdu) fields.push(derExplicit(6, derOctets(pdu.x224ConnectionPdu)));
  if (pdu.serverCertChain) fields.push(derExplicit(7, tlv(TAG.SEQUENCE, pdu.serverCertChain.map(derOctets))));
  if (pdu.serverAddr !== undefined) fields.push(derExplicit(9, derUtf8(pdu.serverAddr)));
  return tlv(TAG.SEQUENCE, fields);
}

/** The relay's answer when it refuses or fails (negotiation failures carry the server's confirm). */
export const errorPdu = (error: RdCleanPathError, x224ConnectionPdu?: Uint8Array): Uint8Array =>
  encodeRdCleanPath({ version: RDCLEANPATH_VERSION, error, ...(x224ConnectionPdu ? { x224ConnectionPdu } : {}) });

export const responsePdu = (x224ConnectionPdu: Uint8Array, serverCertChain: Uint8Array[], serverAddr: string): Uint8Array =>
  encodeRdCleanPath({ version: RDCLEANPATH_VERSION, x224ConnectionPdu, serverCertChain, serverAddr });
