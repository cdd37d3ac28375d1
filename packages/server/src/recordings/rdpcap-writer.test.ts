import { describe, expect, it } from 'vitest';
import { RDPCAP_DIRECTION, RDPCAP_FLAG_AFTER_CREDSSP, readRdpcap } from '../../../protocol/src/rdpcap.js';
import { AppendFile, type AppendTarget } from './append-file.js';
import { RdpcapWriter } from './rdpcap-writer.js';

function setup() {
  let data = Buffer.alloc(0);
  const target: AppendTarget = {
    write: async (b) => {
      const bytes = typeof b === 'string' ? Buffer.from(b) : b;
      data = Buffer.concat([data, bytes]);
      return { bytesWritten: bytes.length };
    },
    datasync: async () => undefined,
    close: async () => undefined,
  };
  let now = 1_750_000_000_000;
  const w = new RdpcapWriter(new AppendFile(target, () => undefined), { sessionId: 's-1', vm: '/x/vm-rdp' }, { now: () => now });
  return { w, bytes: () => data, tick: (ms: number) => (now += ms) };
}

const tpkt = (body: number[]) => Buffer.from([3, 0, 0, 4 + body.length, ...body]);

describe('RdpcapWriter + readRdpcap', () => {
  it('round trip: header with metadata, records in order with direction and ms offsets, end record', async () => {
    const { w, bytes, tick } = setup();
    tick(5);
    w.fromClient(tpkt([0x02, 0xf0, 0x80, 0x7f, 0x65]));
    tick(20);
    w.fromServer(tpkt([0x02, 0xf0, 0x80, 0x7f, 0x66]));
    tick(1);
    w.fromClient(Buffer.from([0x44, 0x03, 0x00])); // a fast-path input PDU (length 3)
    await w.close();
    const r = readRdpcap(bytes());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.header).toMatchObject({ version: 1, flags: RDPCAP_FLAG_AFTER_CREDSSP, startTime: 1_750_000_000_000 });
    expect(JSON.parse(Buffer.from(r.header.meta).toString('utf8'))).toEqual({ sessionId: 's-1', vm: '/x/vm-rdp' });
    expect(r.records.map((x) => [x.offsetMs, x.direction, Buffer.from(x.data).toString('hex')])).toEqual([
      [5, RDPCAP_DIRECTION.CLIENT_TO_SERVER, tpkt([0x02, 0xf0, 0x80, 0x7f, 0x65]).toString('hex')],
      [25, RDPCAP_DIRECTION.SERVER_TO_CLIENT, tpkt([0x02, 0xf0, 0x80, 0x7f, 0x66]).toString('hex')],
      [26, RDPCAP_DIRECTION.CLIENT_TO_SERVER, '440300'],
    ]);
    expect(r.complete).toBe(true);
    expect(r.truncatedBytes).toBe(0);
  });

  it('leaves out the CredSSP phase: nothing before the first TPKT from the client', async () => {
    const { w, bytes } = setup();
    w.fromClient(Buffer.from([0x30, 0x37, 0xa0, 0x03])); // TSRequest (NTLM NEGOTIATE)
    w.fromServer(Buffer.from([0x30, 0x81, 0x9f, 0xa0])); // TSRequest (NTLM CHALLENGE)
    w.fromClient(Buffer.from([0x30, 0x82, 0x01, 0x00])); // TSRequest (AUTHENTICATE + credentials)
    w.fromServer(Buffer.from([0x01, 0x00, 0x00, 0x00])); // Early User Authorization Result
    w.fromClient(tpkt([0x02, 0xf0, 0x80]));
    w.fromServer(tpkt([0x02, 0xf0, 0x80]));
    await w.close();
    const r = readRdpcap(bytes());
    expect(r.ok && r.records.map((x) => x.data[0])).toEqual([3, 3]);
  });

  it('a file cut anywhere reads back every whole record and says how much was left over', async () => {
    const { w, bytes } = setup();
    w.fromClient(tpkt([1, 2, 3]));
    w.fromServer(tpkt([4, 5, 6, 7]));
    await w.close();
    const full = bytes();
    const headerEnd = full.length - 9 - (9 + 8) - (9 + 7); // minus the end record and both data records
    for (let cut = headerEnd; cut < full.length; cut++) {
      const r = readRdpcap(full.subarray(0, cut));
      expect(r.ok, `cut at ${cut}`).toBe(true);
      if (!r.ok) continue;
      expect(r.complete).toBe(false);
      const whole = cut >= headerEnd + 16 + 17 ? 2 : cut >= headerEnd + 16 ? 1 : 0;
      expect(r.records, `cut at ${cut}`).toHaveLength(whole);
      expect(r.truncatedBytes).toBe(cut - headerEnd - [0, 16, 33][whole]!);
    }
    expect(readRdpcap(full.subarray(0, 10))).toEqual({ ok: false, error: 'too short for an rdpcap header' });
  });

  it('refuses what is not an rdpcap v1 file, without throwing', async () => {
    expect(readRdpcap(Buffer.from('{"version": 2, "width": 80}\n'))).toMatchObject({ ok: false, error: expect.stringMatching(/magic/) });
    const { w, bytes } = setup();
    await w.close();
    const other = Buffer.from(bytes());
    other.writeUInt16BE(2, 8);
    expect(readRdpcap(other)).toEqual({ ok: false, error: 'unsupported rdpcap version 2' });
  });
});

describe('client PDUs in the capture', () => {
  /** Client Info PDU: TPKT, X.224 Data, MCS Send Data Request (2-byte PER length), SEC_INFO_PKT, TS_INFO_PACKET. */
  const clientInfo = (secret: string): Buffer => {
    const body = Buffer.concat([Buffer.from([0x40, 0x00, 0x00, 0x00]), Buffer.from(secret, 'utf16le')]);
    const mcs = Buffer.concat([Buffer.from([0x64, 0x00, 0x06, 0x03, 0xeb, 0x70, 0x80 | (body.length >> 8), body.length & 0xff]), body]);
    const total = 4 + 3 + mcs.length;
    return Buffer.concat([Buffer.from([3, 0, total >> 8, total & 0xff, 0x02, 0xf0, 0x80]), mcs]);
  };

  it('blanks the Client Info PDU (user name, password, cookie) and keeps its length', async () => {
    const { w, bytes } = setup();
    const info = clientInfo('vmuser\0S3cret-Passw0rd\0');
    w.fromClient(tpkt([0x02, 0xf0, 0x80, 0x7f, 0x65]));
    w.fromClient(info);
    await w.close();
    const r = readRdpcap(bytes());
    if (!r.ok) throw new Error(r.error);
    const recorded = Buffer.from(r.records[1]!.data);
    expect(recorded.length).toBe(info.length);
    expect(recorded.subarray(0, 19)).toEqual(info.subarray(0, 19)); // headers up to the security flags
    expect(recorded.subarray(19).every((b) => b === 0)).toBe(true);
    expect(bytes().includes(Buffer.from('S3cret', 'utf16le'))).toBe(false);
  });

  it('looks only at the first Send Data Request: a later share PDU whose bytes look like SEC_INFO_PKT stays intact', async () => {
    const { w, bytes } = setup();
    const info = clientInfo('pw');
    // A Confirm Active-like PDU: share control header totalLength 0x0140 (its low byte has the 0x40 bit).
    const share = Buffer.from([3, 0, 0, 24, 0x02, 0xf0, 0x80, 0x64, 0x00, 0x06, 0x03, 0xeb, 0x70, 0x0a, 0x40, 0x01, 0x13, 0x00, 1, 2, 3, 4, 5, 6]);
    w.fromClient(info);
    w.fromClient(share);
    await w.close();
    const r = readRdpcap(bytes());
    if (!r.ok) throw new Error(r.error);
    expect(Buffer.from(r.records[1]!.data)).toEqual(share);
  });

  it('frames PDUs across chunk boundaries: two in one chunk, one over two chunks', async () => {
    const { w, bytes } = setup();
    const a = tpkt([0x02, 0xf0, 0x80, 1]);
    const fast = Buffer.from([0x04, 0x05, 0x01, 0x02, 0x03]); // fast-path, length 5
    const info = clientInfo('hunter2');
    w.fromClient(Buffer.concat([a, fast, info.subarray(0, 10)]));
    w.fromClient(info.subarray(10));
    await w.close();
    const r = readRdpcap(bytes());
    if (!r.ok) throw new Error(r.error);
    expect(r.records.map((x) => x.data.length)).toEqual([a.length, fast.length, info.length]);
    expect(bytes().includes(Buffer.from('hunter2', 'utf16le'))).toBe(false);
  });
});
