import { describe, expect, it } from 'vitest';
import { checkConnectionRequest, connectionRequest, MAX_X224_PDU, mstshashOf, parseConnectionConfirm, preconnectionPdu, readTpkt } from './x224.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('TPKT / X.224', () => {
  it('reads one frame, waits for more bytes, and keeps what follows', () => {
    const cc = hex('030000130ed00000123400020f080001000000');
    for (let n = 0; n < cc.length; n++) expect(readTpkt(cc.subarray(0, n))).toEqual({ kind: 'incomplete' });
    const r = readTpkt(new Uint8Array([...cc, 0x16, 0x03]));
    expect(r.kind).toBe('frame');
    if (r.kind === 'frame') {
      expect(r.frame).toEqual(cc);
      expect(Array.from(r.rest)).toEqual([0x16, 0x03]);
    }
  });

  it('refuses a bad header, a too-short and an over-size length (before reading the body)', () => {
    expect(readTpkt(hex('16030100'))).toMatchObject({ kind: 'invalid', error: expect.stringContaining('not a TPKT') });
    expect(readTpkt(hex('03000006'))).toMatchObject({ kind: 'invalid', error: expect.stringContaining('too short') });
    expect(readTpkt(hex('0300ffff'))).toMatchObject({ kind: 'invalid', error: expect.stringContaining(`exceeds ${MAX_X224_PDU}`) });
  });

  it('checks the Connection Request', () => {
    expect(checkConnectionRequest(connectionRequest(3, 'bob'))).toBeUndefined();
    expect(checkConnectionRequest(connectionRequest(3).subarray(0, 10))).toContain('truncated');
    expect(checkConnectionRequest(new Uint8Array([...connectionRequest(3), 0]))).toContain('trailing');
    expect(checkConnectionRequest(hex('030000130ed00000123400020f080001000000'))).toContain('not an X.224 Connection Request');
  });

  it('encodes the preconnection PDU v2 and reads the routing cookie', () => {
    expect(Buffer.from(preconnectionPdu('ab')).toString('hex')).toBe('18000000' + '00000000' + '02000000' + '00000000' + '0300' + '610062000000');
    expect(mstshashOf(connectionRequest(3, 'vmuser'))).toBe('vmuser');
    expect(mstshashOf(connectionRequest(3))).toBeUndefined();
  });

  it('reads the Connection Confirm: accepted, refused with a failure code, standard RDP only', () => {
    expect(parseConnectionConfirm(hex('030000130ed00000123400020f080001000000'))).toEqual({ kind: 'accepted', selectedProtocol: 1 });
    expect(parseConnectionConfirm(hex('030000130ed00000123400030008000500000000'.slice(0, 38)))).toMatchObject({ kind: 'refused', failureCode: 5, message: expect.stringContaining('HYBRID_REQUIRED_BY_SERVER') });
    expect(parseConnectionConfirm(hex('0300000b06d00000123400'))).toMatchObject({ kind: 'refused', failureCode: null });
    expect(parseConnectionConfirm(hex('030000130ee00000123400020f080001000000'))).toMatchObject({ kind: 'invalid' });
  });
});
