/**
 * Client → server RDP PDUs, framed and with the logon credentials blanked, for the capture (design 0006).
 * After the security exchange the client sends TPKT-framed slow-path PDUs (first byte 0x03, length u16 BE
 * at byte 2) and fast-path input PDUs (action bits 0, length in byte 1, or 15 bits over bytes 1–2 when its
 * high bit is set; MS-RDPBCGR 2.2.8.1.2). The Client Info PDU (2.2.1.11: an MCS Send Data Request whose
 * security header has SEC_INFO_PKT) carries the user name, the password (in clear with TLS-only logons),
 * the auto-reconnect cookie and the client's address: everything after its security header is zeroed,
 * keeping the length, so the stream stays parseable. With TLS or NLA it is the client's first Send Data
 * Request, and the only one with a security header before licensing: later PDUs start with a share header
 * whose bytes could look like SEC_INFO_PKT, so only that first Send Data Request is looked at.
 */

const TPKT_VERSION = 0x03;
const MCS_SEND_DATA_REQUEST = 25; // DomainMCSPDU choice, in the top 6 bits of the byte after X.224 Data
const SEC_INFO_PKT = 0x0040;
/** Longest PDU we wait for: a TPKT length is 16 bits; fast-path 15. */
const MAX_PDU = 0xffff;

/** The length of the PDU at the start of `buf`: a number, 'incomplete', or 'unknown' (not a framing we know). */
export function clientPduLength(buf: Uint8Array): number | 'incomplete' | 'unknown' {
  if (buf.length < 2) return 'incomplete';
  const first = buf[0]!;
  if (first === TPKT_VERSION) {
    if (buf.length < 4) return 'incomplete';
    const length = (buf[2]! << 8) | buf[3]!;
    return length < 7 ? 'unknown' : length;
  }
  if ((first & 0x03) !== 0) return 'unknown';
  const b1 = buf[1]!;
  if (!(b1 & 0x80)) return b1 < 2 ? 'unknown' : b1;
  if (buf.length < 3) return 'incomplete';
  const length = ((b1 & 0x7f) << 8) | buf[2]!;
  return length < 3 ? 'unknown' : length;
}

/** TPKT (4) | X.224 Data 02 F0 80 (3) | MCS Send Data Request (choice byte 0x64…) | … */
export const isSendDataRequest = (pdu: Uint8Array): boolean =>
  pdu[0] === TPKT_VERSION && pdu.length >= 15 && pdu[4] === 0x02 && pdu[5] === 0xf0 && pdu[6] === 0x80 && pdu[7]! >> 2 === MCS_SEND_DATA_REQUEST;

/** A copy of `pdu` with the Client Info PDU's body zeroed, or `pdu` itself when it is another PDU. */
export function redactClientInfo(pdu: Uint8Array): Uint8Array {
  // MCS SDrq: choice, initiator u16, channel u16, priority, PER length (1 or 2 bytes) | security header
  if (!isSendDataRequest(pdu)) return pdu;
  const lengthAt = 13;
  const securityAt = pdu[lengthAt]! & 0x80 ? lengthAt + 2 : lengthAt + 1;
  if (pdu.length < securityAt + 4) return pdu;
  const flags = pdu[securityAt]! | (pdu[securityAt + 1]! << 8);
  if (!(flags & SEC_INFO_PKT)) return pdu;
  const out = Uint8Array.from(pdu);
  out.fill(0, securityAt + 4);
  return out;
}

/**
 * Splits the client's byte stream into PDUs (chunks may hold several or part of one). When the framing
 * is not one it knows it stops and passes bytes through unchanged from then on (`lost` says so).
 */
export class ClientPduFramer {
  private buf = Buffer.alloc(0);
  private sawSendData = false;
  lost = false;

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.lost) return [chunk];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const out: Uint8Array[] = [];
    for (;;) {
      const length = clientPduLength(this.buf);
      if (length === 'unknown' || (typeof length === 'number' && length > MAX_PDU)) {
        this.lost = true;
        if (this.buf.length) out.push(this.buf);
        this.buf = Buffer.alloc(0);
        return out;
      }
      if (length === 'incomplete' || this.buf.length < length) return out;
      let pdu: Uint8Array = this.buf.subarray(0, length);
      if (!this.sawSendData && isSendDataRequest(pdu)) {
        this.sawSendData = true;
        pdu = redactClientInfo(pdu);
      }
      out.push(pdu);
      this.buf = this.buf.subarray(length);
      if (this.buf.length === 0) return out;
    }
  }

  /** Bytes of a PDU still incomplete (written as they are when the capture ends). */
  rest(): Uint8Array {
    return this.buf;
  }
}
