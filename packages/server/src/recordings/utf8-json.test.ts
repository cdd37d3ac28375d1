import { TextDecoder } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Utf8JsonEscaper } from './utf8-json.js';

/** What JSON.stringify of a streaming TextDecoder gives, for the same chunks. */
function reference(chunks: Uint8Array[]): string {
  const d = new TextDecoder('utf-8');
  return JSON.stringify(chunks.map((c) => d.decode(c, { stream: true })).join('') + d.decode()).slice(1, -1);
}

function escaped(chunks: Uint8Array[]): string {
  const e = new Utf8JsonEscaper();
  const parts: Buffer[] = [];
  for (const c of chunks) {
    const out = Buffer.alloc(Utf8JsonEscaper.maxLength(c.length));
    parts.push(out.subarray(0, e.escapeInto(c, out, 0)));
  }
  const end = Buffer.alloc(3);
  parts.push(end.subarray(0, e.finish(end, 0)));
  return Buffer.concat(parts).toString('utf8');
}

/** A seeded PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Utf8JsonEscaper', () => {
  it('matches JSON.stringify(TextDecoder) on terminal text, escapes and every UTF-8 length', () => {
    const text = 'plain "quoted" back\\slash \t\r\n\b\f \u001b[1;31mred\u001b[0m \u007f é € 😀 \u2028';
    const bytes = Buffer.from(text, 'utf8');
    expect(escaped([bytes])).toBe(JSON.stringify(text).slice(1, -1));
    // Split at every position: the same output.
    for (let cut = 0; cut <= bytes.length; cut++) expect(escaped([bytes.subarray(0, cut), bytes.subarray(cut)])).toBe(JSON.stringify(text).slice(1, -1));
  });

  it('replaces ill-formed UTF-8 exactly like TextDecoder (maximal subparts, surrogates, overlongs, end of stream)', () => {
    const cases = [[0x80], [0xc0, 0xaf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xe2, 0x82, 0x41], [0xf0, 0x9f, 0x98], [0xff, 0xfe, 0x41], [0xf0, 0x9f, 0x41, 0x98, 0x80]];
    for (const c of cases) expect(escaped([Uint8Array.from(c)]), c.map((x) => x.toString(16)).join(' ')).toBe(reference([Uint8Array.from(c)]));
  });

  it('fuzz: random bytes in random chunks, against the reference', () => {
    const next = rng(20260601);
    for (let round = 0; round < 300; round++) {
      const len = Math.floor(next() * 64);
      // Biased toward interesting bytes: controls, quotes, lead and continuation bytes.
      const pool = [0x00, 0x0a, 0x1b, 0x22, 0x5c, 0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
      const bytes = Uint8Array.from({ length: len }, () => (next() < 0.5 ? pool[Math.floor(next() * pool.length)]! : Math.floor(next() * 256)));
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < len; ) {
        const size = 1 + Math.floor(next() * 8);
        chunks.push(bytes.subarray(at, at + size));
        at += size;
      }
      expect(escaped(chunks), `round ${round}: ${Buffer.from(bytes).toString('hex')}`).toBe(reference(chunks));
    }
  });
});
