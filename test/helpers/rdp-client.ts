import { derExplicit, derInteger, derOctets, TAG, tlv } from '../../packages/server/src/gateway/rdp/der.js';
import { decodeRdCleanPath, encodeRdCleanPath, rdCleanPathFrameLength, RDCLEANPATH_LIMITS, RDCLEANPATH_VERSION, type RdCleanPathPdu } from '../../packages/server/src/gateway/rdp/rdcleanpath.js';
import { connectionRequest } from '../../packages/server/src/gateway/rdp/x224.js';
import type { WsClient } from './ws-client.js';
// Re-exported for callers that take the socket types from here (bench/scenarios/rdp.ts).
export type { WsClient, WsCtor } from './ws-client.js';

/**
 * A minimal RDCleanPath client for the integration tests (what IronRDP does in the browser, minus the
 * RDP session): the request PDU, response framing, and the first RDP PDU after the relay's answer (MCS
 * Connect Initial for TLS servers, a CredSSP TSRequest with an NTLM NEGOTIATE for NLA servers).
 */


export const requestPdu = (destination: string, token: string, requestedProtocols = 3, extra: Partial<RdCleanPathPdu> = {}): Uint8Array =>
  encodeRdCleanPath({ version: RDCLEANPATH_VERSION, destination, proxyAuth: token, x224ConnectionPdu: connectionRequest(requestedProtocols, 'vmuser'), ...extra });

/** One relay connection: the RDCleanPath answer first, then the raw bytes that follow it. */
export class RdpRelayClient {
  private buf = Buffer.alloc(0);
  response: RdCleanPathPdu | undefined;
  responseError: string | undefined;
  after = Buffer.alloc(0);
  closeCode: number | undefined;
  refusedStatus: number | undefined;
  error: Error | undefined;

  constructor(readonly ws: WsClient) {
    ws.on('message', (data) => this.onData(data));
    ws.on('close', (code) => (this.closeCode = code));
    ws.on('error', (err) => (this.error = err));
    ws.on('unexpected-response', (_req, res) => {
      this.refusedStatus = res.statusCode;
      this.closeCode = -1;
    });
  }

  private onData(data: Buffer): void {
    if (this.response || this.responseError) {
      this.after = Buffer.concat([this.after, data]);
      return;
    }
    this.buf = Buffer.concat([this.buf, data]);
    const framed = rdCleanPathFrameLength(this.buf, RDCLEANPATH_LIMITS.RESPONSE);
    if (!framed.ok) return void (this.responseError = framed.error);
    if (framed.value === 'incomplete') return;
    const decoded = decodeRdCleanPath(this.buf.subarray(0, framed.value), RDCLEANPATH_LIMITS.RESPONSE);
    if (decoded.ok) this.response = decoded.value;
    else this.responseError = decoded.error;
    this.after = Buffer.from(this.buf.subarray(framed.value));
  }

  async until(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
    const start = Date.now();
    while (!done()) {
      if (Date.now() - start > timeoutMs)
        throw new Error(`timed out waiting for ${what}; response ${JSON.stringify(this.response?.error ?? this.response?.serverAddr)}, error ${this.responseError}, close ${this.closeCode}, ws error ${this.error?.message}, after ${this.after.length} bytes`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  answered(): Promise<void> {
    return this.until('the RDCleanPath answer', () => this.response !== undefined || this.responseError !== undefined || this.closeCode !== undefined);
  }
}

const u16le = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const u32le = (v: number): number[] => [...u16le(v & 0xffff), ...u16le(v >>> 16)];
const utf16z = (s: string, bytes: number): number[] => {
  const out = new Array<number>(bytes).fill(0);
  for (let i = 0; i < s.length && i * 2 + 1 < bytes - 2; i++) {
    out[i * 2] = s.charCodeAt(i) & 0xff;
    out[i * 2 + 1] = s.charCodeAt(i) >> 8;
  }
  return out;
};
const perLength = (n: number): number[] => (n < 0x80 ? [n] : [0x80 | (n >> 8), n & 0xff]);
const berLength = (n: number): number[] => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);

/**
 * Client MCS Connect Initial with a GCC Conference Create Request (MS-RDPBCGR 2.2.1.3): core, security
 * and network data blocks, no channels. `selectedProtocol` must echo the server's choice.
 */
export function mcsConnectInitial(selectedProtocol: number): Uint8Array {
  const core = [
    ...u32le(0x00080004), ...u16le(1024), ...u16le(768), ...u16le(0xca01), ...u16le(0xaa03), ...u32le(0x409), ...u32le(2600),
    ...utf16z('bastion-test', 32), ...u32le(4), ...u32le(0), ...u32le(12), ...new Array<number>(64).fill(0),
    ...u16le(0xca01), ...u16le(1), ...u32le(0), ...u16le(24), ...u16le(0x000f), ...u16le(0x0001), ...new Array<number>(64).fill(0),
    0, 0, ...u32le(selectedProtocol),
  ];
  const blocks = [...u16le(0xc001), ...u16le(core.length + 4), ...core, ...u16le(0xc002), ...u16le(12), ...u32le(0), ...u32le(0), ...u16le(0xc003), ...u16le(8), ...u32le(0)];
  const gcc = [0x00, 0x05, 0x00, 0x14, 0x7c, 0x00, 0x01, ...perLength(blocks.length + 14), 0x00, 0x08, 0x00, 0x10, 0x00, 0x01, 0xc0, 0x00, 0x44, 0x75, 0x63, 0x61, ...perLength(blocks.length), ...blocks];
  const params = (v: number[][]): number[] => {
    const body = v.flatMap((n) => [0x02, n.length, ...n]);
    return [0x30, body.length, ...body];
  };
  const body = [
    0x04, 0x01, 0x01, 0x04, 0x01, 0x01, 0x01, 0x01, 0xff,
    ...params([[34], [2], [0], [1], [0], [1], [0xff, 0xff], [2]]),
    ...params([[1], [1], [1], [1], [0], [1], [0x04, 0x20], [2]]),
    ...params([[0xff, 0xff], [0xfc, 0x17], [0xff, 0xff], [1], [0], [1], [0xff, 0xff], [2]]),
    0x04, ...berLength(gcc.length), ...gcc,
  ];
  const mcs = [0x7f, 0x65, ...berLength(body.length), ...body];
  const total = 4 + 3 + mcs.length;
  return Uint8Array.from([0x03, 0x00, total >> 8, total & 0xff, 0x02, 0xf0, 0x80, ...mcs]);
}

/** CredSSP TSRequest (version 6) carrying an NTLM NEGOTIATE_MESSAGE: the first NLA step. */
export function credSspNegotiate(): Uint8Array {
  const ntlm = Uint8Array.from([
    ...Buffer.from('NTLMSSP\0', 'latin1'), ...u32le(1), ...u32le(0xe2088235),
    ...u16le(0), ...u16le(0), ...u32le(40), ...u16le(0), ...u16le(0), ...u32le(40), 0x06, 0x01, 0xb1, 0x1d, 0, 0, 0, 0x0f,
  ]);
  const token = tlv(TAG.SEQUENCE, [tlv(TAG.SEQUENCE, [derExplicit(0, derOctets(ntlm))])]);
  return tlv(TAG.SEQUENCE, [derExplicit(0, derInteger(6)), derExplicit(1, token)]);
}
