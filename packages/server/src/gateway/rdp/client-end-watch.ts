/**
 * Notices when the browser's RDP client asks to end the session, in the plaintext it sends toward the VM
 * (the relay terminates TLS, so the bytes are RDP's own). A user's Disconnect in IronRDP is a graceful
 * shutdown: the client sends a Shutdown Request PDU (MS-RDPBCGR 2.2.2.1) and/or an MCS Disconnect Provider
 * Ultimatum, and the *VM* then closes the connection. Seen from the relay the VM closed first, so without
 * this the record said `remote_closed` ("Closed by the VM") for what the user did.
 *
 * The stream is split into its frames: CredSSP (DER, before the first TPKT), slow-path (TPKT) and
 * fast-path PDUs, each carrying its length. Only one frame at a time is buffered (at most 64 KiB). Anything
 * it does not recognise stops the watch: then the relay reports what it sees, as before.
 */
const MCS_DISCONNECT_PROVIDER_ULTIMATUM = 8;
const MCS_SEND_DATA_REQUEST = 25;
const PDUTYPE_DATAPDU_V1 = 0x17;
const PDUTYPE2_SHUTDOWN_REQUEST = 36;
const MAX_FRAME = 64 * 1024;

export class ClientEndWatch {
  #buf: Buffer = Buffer.alloc(0);
  #sawTpkt = false;
  #stopped = false;
  /** The client asked to end the session (Shutdown Request or Disconnect Provider Ultimatum). */
  askedToEnd = false;

  feed(chunk: Buffer): void {
    if (this.#stopped || this.askedToEnd) return;
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    for (;;) {
      const length = this.#frameLength();
      if (length === undefined || length > MAX_FRAME) return this.#stop();
      if (length === 0 || this.#buf.length < length) return; // incomplete: wait for more
      const frame = this.#buf.subarray(0, length);
      this.#buf = this.#buf.subarray(length);
      if (frame[0] === 0x03 && asksToEnd(frame)) {
        this.askedToEnd = true;
        this.#buf = Buffer.alloc(0);
        return;
      }
      if (this.#buf.length === 0) return;
    }
  }

  #stop(): void {
    this.#stopped = true;
    this.#buf = Buffer.alloc(0);
  }

  /** The current frame's total length; 0 when its header is incomplete; undefined when not recognised. */
  #frameLength(): number | undefined {
    const b = this.#buf;
    if (b.length < 2) return 0;
    if (b[0] === 0x03) {
      if (b.length < 4) return 0;
      this.#sawTpkt = true;
      const length = b.readUInt16BE(2);
      return length >= 7 ? length : undefined;
    }
    if (b[0] === 0x30 && !this.#sawTpkt) return derLength(b);
    if ((b[0]! & 0x03) === 0 && this.#sawTpkt) {
      if ((b[1]! & 0x80) === 0) return b[1]! >= 2 ? b[1] : undefined;
      if (b.length < 3) return 0;
      const length = ((b[1]! & 0x7f) << 8) | b[2]!;
      return length >= 3 ? length : undefined;
    }
    return undefined;
  }
}

/** A DER SEQUENCE's total length (CredSSP's TSRequest); 0 when incomplete. */
function derLength(b: Buffer): number | undefined {
  const first = b[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n < 1 || n > 3) return undefined;
  if (b.length < 2 + n) return 0;
  let length = 0;
  for (let i = 0; i < n; i++) length = (length << 8) | b[2 + i]!;
  return 2 + n + length;
}

/** A TPKT frame carrying X.224 data with an MCS Disconnect Provider Ultimatum or a Shutdown Request PDU. */
function asksToEnd(frame: Buffer): boolean {
  // TPKT (4) · X.224 data TPDU 02 f0 80 (3) · MCS DomainMCSPDU (PER: choice in the top 6 bits)
  if (frame.length < 8 || frame[4] !== 0x02 || frame[5] !== 0xf0 || frame[6] !== 0x80) return false;
  const choice = frame[7]! >> 2;
  if (choice === MCS_DISCONNECT_PROVIDER_ULTIMATUM) return true;
  if (choice !== MCS_SEND_DATA_REQUEST) return false;
  // initiator (2) · channelId (2) · priority/segmentation (1) · PER length (1 or 2)
  let at = 13;
  if (frame.length <= at) return false;
  at += (frame[at]! & 0x80) !== 0 ? 2 : 1;
  // ShareControlHeader: totalLength (2) · pduType (2) · pduSource (2); ShareDataHeader: shareId (4) · pad (1) · streamId (1) · uncompressedLength (2) · pduType2 (1)
  if (frame.length < at + 15) return false;
  return frame.readUInt16LE(at + 2) === PDUTYPE_DATAPDU_V1 && frame[at + 14] === PDUTYPE2_SHUTDOWN_REQUEST;
}
