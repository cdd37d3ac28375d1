import { describe, expect, it } from 'vitest';
import { asRequest, decodeRdCleanPath, encodeRdCleanPath, errorPdu, rdCleanPathFrameLength, RDCLEANPATH_LIMITS, RDCLEANPATH_VERSION, responsePdu, type RdCleanPathPdu } from './rdcleanpath.js';
import { connectionRequest } from './x224.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const request: RdCleanPathPdu = { version: RDCLEANPATH_VERSION, destination: '10.90.1.6:3389', proxyAuth: 'tok_123', x224ConnectionPdu: connectionRequest(3, 'user') };

/** Mulberry32: a tiny seeded PRNG, so a failing fuzz case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('RDCleanPath codec', () => {
  it('encodes the version as an explicit [0] minimal INTEGER (A0 04 02 02 0D 3E)', () => {
    expect(Buffer.from(encodeRdCleanPath({ version: RDCLEANPATH_VERSION })).toString('hex')).toBe('3006a00402020d3e');
  });

  it('round-trips a request, a success response and error PDUs', () => {
    const chain = [new Uint8Array(300).fill(7), new Uint8Array([1, 2, 3])];
    const cases: RdCleanPathPdu[] = [
      request,
      { ...request, preconnectionBlob: 'pcb-é', serverAuth: 'x' },
      { version: RDCLEANPATH_VERSION, x224ConnectionPdu: new Uint8Array([3, 0, 0, 19]), serverCertChain: chain, serverAddr: '10.90.1.6:3389' },
      { version: RDCLEANPATH_VERSION, error: { errorCode: 1, httpStatus: 403 } },
      { version: RDCLEANPATH_VERSION, error: { errorCode: 1, httpStatus: 502, wsaLastError: 10061, tlsAlert: 40 } },
      { version: RDCLEANPATH_VERSION, error: { errorCode: 2 }, x224ConnectionPdu: new Uint8Array([3, 0, 0, 19, 14]) },
      { version: RDCLEANPATH_VERSION, serverCertChain: [] },
    ];
    for (const pdu of cases) {
      const bytes = encodeRdCleanPath(pdu);
      expect(decodeRdCleanPath(bytes, RDCLEANPATH_LIMITS.RESPONSE)).toEqual({ ok: true, value: pdu });
      expect(rdCleanPathFrameLength(bytes, RDCLEANPATH_LIMITS.RESPONSE)).toEqual({ ok: true, value: bytes.length });
    }
    expect(decodeRdCleanPath(responsePdu(new Uint8Array([1]), chain, 'a:1'), RDCLEANPATH_LIMITS.RESPONSE).ok).toBe(true);
    expect(decodeRdCleanPath(errorPdu({ errorCode: 1, httpStatus: 401 }))).toEqual({ ok: true, value: { version: 3390, error: { errorCode: 1, httpStatus: 401 } } });
  });

  it('classifies requests strictly', () => {
    expect(asRequest(request)).toMatchObject({ ok: true, value: { destination: '10.90.1.6:3389', proxyAuth: 'tok_123' } });
    expect(asRequest({ version: 3390, proxyAuth: 'a', x224ConnectionPdu: new Uint8Array(1) })).toMatchObject({ ok: false, error: expect.stringContaining('destination') });
    expect(asRequest({ ...request, proxyAuth: undefined } as RdCleanPathPdu)).toMatchObject({ ok: false, error: expect.stringContaining('proxy_auth') });
    expect(asRequest({ ...request, serverAddr: 'x' })).toMatchObject({ ok: false });
    expect(asRequest({ version: 3390, destination: 'a', proxyAuth: 'b' })).toMatchObject({ ok: false, error: expect.stringContaining('x224') });
  });

  it('reports framing: incomplete until the whole PDU is there, refuses oversize and non-SEQUENCE at the header', () => {
    const bytes = encodeRdCleanPath(request);
    for (let n = 0; n < bytes.length; n++) expect(rdCleanPathFrameLength(bytes.subarray(0, n), 1 << 16)).toEqual({ ok: true, value: 'incomplete' });
    expect(rdCleanPathFrameLength(hex('30 83 01 00 00'), 1000)).toMatchObject({ ok: false, error: expect.stringContaining('exceeds') });
    expect(rdCleanPathFrameLength(hex('31 00'), 1000)).toMatchObject({ ok: false, error: expect.stringContaining('SEQUENCE') });
    expect(rdCleanPathFrameLength(hex('30 80'), 1000)).toMatchObject({ ok: false, error: expect.stringContaining('indefinite') });
  });

  const V = 'a0 04 02 02 0d 3e';
  const malformed: Array<[string, string, string]> = [
    ['empty input', '', 'truncated'],
    ['not a SEQUENCE', '31 06 ' + V, 'expected tag 0x30'],
    ['trailing bytes after the PDU', `30 06 ${V} 00`, 'trailing'],
    ['indefinite length', `30 80 ${V} 00 00`, 'indefinite'],
    ['non-minimal long length', `30 81 06 ${V}`, 'minimally'],
    ['length with a leading zero byte', `30 82 00 06 ${V}`, 'minimally'],
    ['length of four bytes', `30 84 00 00 00 06 ${V}`, 'too long'],
    ['length past the end', `30 07 ${V}`, 'runs past'],
    ['inner length past its container', '30 06 a0 05 02 02 0d 3e', 'runs past'],
    ['version missing', '30 00', 'truncated'],
    ['version 3391', '30 06 a0 04 02 02 0d 3f', 'unsupported RDCleanPath version 3391'],
    ['version not an INTEGER', '30 06 a0 04 04 02 0d 3e', 'expected tag 0x2'],
    ['version with a padded INTEGER', '30 07 a0 05 02 03 00 0d 3e', 'minimally'],
    ['negative version', '30 05 a0 03 02 01 ff', 'negative'],
    ['empty INTEGER', '30 04 a0 02 02 00', 'empty'],
    ['huge INTEGER', '30 0c a0 0a 02 08 01 00 00 00 00 00 00 00', 'too large'],
    ['implicit instead of explicit tag', `30 0a ${V} 82 02 61 62`, 'unknown field'],
    ['unknown field [8]', `30 0a ${V} a8 02 05 00`, 'unknown field'],
    ['unknown field [10]', `30 0a ${V} aa 02 05 00`, 'unknown field'],
    ['fields out of order', `30 10 ${V} a3 03 0c 01 61 a2 03 0c 01 62`, 'out of order'],
    ['repeated field', `30 10 ${V} a2 03 0c 01 61 a2 03 0c 01 62`, 'out of order'],
    ['destination as OCTET STRING', `30 0b ${V} a2 03 04 01 61`, 'expected tag 0xc'],
    ['invalid UTF-8 in destination', `30 0b ${V} a2 03 0c 01 ff`, 'UTF-8'],
    ['overlong UTF-8 in destination', `30 0c ${V} a2 04 0c 02 c0 af`, 'UTF-8'],
    ['extra element inside an explicit tag', `30 0e ${V} a2 06 0c 01 61 0c 01 62`, 'unexpected data'],
    ['high tag number', `30 09 ${V} bf 81 00`, 'tag 0xbf'],
    ['error without error_code', `30 0a ${V} a1 02 30 00`, 'truncated'],
    ['error_code above 16 bits', `30 11 ${V} a1 09 30 07 a0 05 02 03 01 00 00`, 'larger than 65535'],
    ['tls_alert above 8 bits', `30 15 ${V} a1 0d 30 0b a0 03 02 01 01 a3 04 02 02 01 00`, 'larger than 255'],
    ['cert chain not a SEQUENCE', `30 0b ${V} a7 03 04 01 00`, 'expected tag 0x30'],
  ];
  it.each(malformed)('refuses %s', (_name, input, message) => {
    const result = decodeRdCleanPath(hex(input));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });

  it('refuses over-size PDUs and fields', () => {
    expect(decodeRdCleanPath(encodeRdCleanPath({ ...request, proxyAuth: 'x'.repeat(RDCLEANPATH_LIMITS.STRING + 1) }))).toMatchObject({ ok: false, error: expect.stringContaining('proxy_auth') });
    expect(decodeRdCleanPath(encodeRdCleanPath({ ...request, x224ConnectionPdu: new Uint8Array(RDCLEANPATH_LIMITS.X224 + 1) }))).toMatchObject({ ok: false, error: expect.stringContaining('x224') });
    const big = encodeRdCleanPath({ ...request, preconnectionBlob: 'x'.repeat(RDCLEANPATH_LIMITS.PRECONNECTION_BLOB) });
    expect(decodeRdCleanPath(big, 1000)).toMatchObject({ ok: false, error: expect.stringContaining('exceeds 1000') });
    const chain = Array.from({ length: RDCLEANPATH_LIMITS.CHAIN_LENGTH + 1 }, () => new Uint8Array(1));
    expect(decodeRdCleanPath(encodeRdCleanPath({ version: 3390, serverCertChain: chain }))).toMatchObject({ ok: false, error: expect.stringContaining('more than') });
  });

  it('fuzz: random bytes, truncations and mutations give an error result, never a throw or a hang', () => {
    const seeds = [1, 2, 3, 0xc0ffee];
    const valid = [encodeRdCleanPath(request), encodeRdCleanPath({ ...request, preconnectionBlob: 'blob' }), errorPdu({ errorCode: 2, httpStatus: 502 }, new Uint8Array([3, 0, 0, 11])), responsePdu(new Uint8Array(19), [new Uint8Array(64)], '1.2.3.4:3389')];
    const started = Date.now();
    let accepted = 0;
    for (const seed of seeds) {
      const rnd = prng(seed);
      const int = (n: number): number => Math.floor(rnd() * n);
      for (let i = 0; i < 3000; i++) {
        let input: Uint8Array;
        const base = valid[int(valid.length)]!;
        switch (i % 4) {
          case 0:
            input = Uint8Array.from({ length: int(64) }, () => int(256));
            if (input.length > 0 && rnd() < 0.5) input[0] = 0x30;
            break;
          case 1:
            input = base.subarray(0, int(base.length));
            break;
          case 2: {
            input = base.slice();
            for (let k = 0, n = 1 + int(4); k < n; k++) input[int(input.length)] = int(256);
            break;
          }
          default: {
            const at = int(base.length);
            const junk = Uint8Array.from({ length: 1 + int(8) }, () => int(256));
            input = new Uint8Array([...base.subarray(0, at), ...junk, ...base.subarray(at + int(3))]);
          }
        }
        let result: ReturnType<typeof decodeRdCleanPath> | undefined;
        expect(() => (result = decodeRdCleanPath(input, RDCLEANPATH_LIMITS.RESPONSE)), `seed ${seed} case ${i}: ${Buffer.from(input).toString('hex')}`).not.toThrow();
        expect(() => rdCleanPathFrameLength(input, RDCLEANPATH_LIMITS.REQUEST)).not.toThrow();
        if (result!.ok) {
          accepted++;
          // Whatever decodes must re-encode to exactly the same bytes (DER: one encoding per value).
          expect(Buffer.from(encodeRdCleanPath(result!.value)).equals(Buffer.from(input)), `seed ${seed} case ${i}`).toBe(true);
        } else expect(typeof result!.error).toBe('string');
      }
    }
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(accepted).toBeLessThan(seeds.length * 3000);
  });
});
