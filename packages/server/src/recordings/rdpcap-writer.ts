import { encodeRdpcapHeader, encodeRdpcapRecordHeader, RDPCAP_DIRECTION, RDPCAP_FLAG_AFTER_CREDSSP, RDPCAP_RECORD_HEADER_SIZE, type RdpcapDirection } from '../../../protocol/src/rdpcap.js';
import type { AppendFile } from './append-file.js';
import { ClientPduFramer } from './client-info-redaction.js';

const TPKT_VERSION = 0x03;

/**
 * Captures one RDP session's plaintext stream as rdpcap v1 (packages/protocol/src/rdpcap.ts) through an
 * AppendFile (batched, crash-safe). Nothing is written until the client sends its first TPKT-framed PDU
 * (MCS Connect Initial): with NLA everything before it is the CredSSP exchange (TSRequests, DER, first byte
 * 0x30: the NTLM messages from which a password hash could be attacked offline) and, with HYBRID_EX, the
 * server's 4-byte Early User Authorization Result. Neither is needed to replay the session (design 0006).
 * Client bytes are then written one PDU per record, with the Client Info PDU's credentials blanked
 * (client-info-redaction.ts); server bytes one chunk per record, as they came.
 */
export class RdpcapWriter {
  private capturing = false;
  private readonly framer = new ClientPduFramer();
  private ended = false;
  private readonly startMs: number;
  private readonly now: () => number;

  constructor(
    private readonly file: AppendFile,
    meta: Record<string, unknown>,
    opts: { now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.startMs = this.now();
    file.append(encodeRdpcapHeader(this.startMs, RDPCAP_FLAG_AFTER_CREDSSP, Buffer.from(JSON.stringify(meta), 'utf8')));
  }

  /** Browser → VM bytes. */
  fromClient(chunk: Uint8Array): void {
    if (!this.capturing && chunk[0] === TPKT_VERSION) this.capturing = true;
    if (!this.capturing || this.ended) return;
    for (const pdu of this.framer.push(chunk)) this.record(RDPCAP_DIRECTION.CLIENT_TO_SERVER, pdu);
  }

  /** VM → browser bytes. */
  fromServer(chunk: Uint8Array): void {
    this.record(RDPCAP_DIRECTION.SERVER_TO_CLIENT, chunk);
  }

  /** Writes the end record and closes the file. Idempotent. */
  close(): Promise<void> {
    if (!this.ended) {
      this.record(RDPCAP_DIRECTION.CLIENT_TO_SERVER, this.framer.rest()); // a PDU cut by the end, as it is
      this.ended = true;
      this.file.append(encodeRdpcapRecordHeader(this.now() - this.startMs, RDPCAP_DIRECTION.END, 0));
    }
    return this.file.close();
  }

  private record(direction: RdpcapDirection, chunk: Uint8Array): void {
    if (!this.capturing || this.ended || chunk.length === 0) return;
    // Copied into the file's buffer (no allocation per record): the relay hands the chunk on to the socket.
    const { buf, at } = this.file.reserve(RDPCAP_RECORD_HEADER_SIZE + chunk.length);
    buf.set(encodeRdpcapRecordHeader(this.now() - this.startMs, direction, chunk.length), at);
    buf.set(chunk, at + RDPCAP_RECORD_HEADER_SIZE);
    this.file.commit(RDPCAP_RECORD_HEADER_SIZE + chunk.length);
  }
}
