/**
 * Terminal bytes → the inside of a JSON string, written straight into a Buffer: what
 * `JSON.stringify(streamingTextDecoder.decode(bytes))` gives (without the quotes), minus the two JS strings
 * per chunk. A recording of a fast session (tens of MB/s) then makes no garbage per chunk, which keeps the
 * relay's memory bound (design 0003, "Flow control") with recording on.
 *
 * Decoding follows the WHATWG UTF-8 decoder: well-formed sequences pass through; an ill-formed one becomes
 * one U+FFFD per maximal subpart; a sequence cut by the end of a chunk waits for the next chunk (streaming)
 * or, at the end (`final`), becomes U+FFFD. Escaping follows JSON.stringify: `"` and `\` escaped, control
 * characters as \b \t \n \f \r or \u00xx (lowercase hex), everything else raw.
 */

const HEX = '0123456789abcdef';
const SHORT: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72 };
const FFFD = [0xef, 0xbf, 0xbd];

/** [continuation bytes, lowest and highest allowed second byte] for a lead byte; undefined: not a lead byte. */
function leadOf(b: number): [number, number, number] | undefined {
  if (b >= 0xc2 && b <= 0xdf) return [1, 0x80, 0xbf];
  if (b === 0xe0) return [2, 0xa0, 0xbf];
  if (b === 0xed) return [2, 0x80, 0x9f];
  if (b >= 0xe1 && b <= 0xef) return [2, 0x80, 0xbf];
  if (b === 0xf0) return [3, 0x90, 0xbf];
  if (b >= 0xf1 && b <= 0xf3) return [3, 0x80, 0xbf];
  if (b === 0xf4) return [3, 0x80, 0x8f];
  return undefined;
}

export class Utf8JsonEscaper {
  private carry: Uint8Array = new Uint8Array(0);

  /** The most bytes `escapeInto` can write for `n` input bytes (a control character becomes 6). */
  static maxLength(n: number): number {
    return (n + 3) * 6;
  }

  /** Writes the escaped text of `input` at `out[at]`; returns how many bytes it wrote (0: nothing complete yet). */
  escapeInto(input: Uint8Array, out: Buffer, at: number, final = false): number {
    let src = input;
    if (this.carry.length) {
      src = new Uint8Array(this.carry.length + input.length);
      src.set(this.carry, 0);
      src.set(input, this.carry.length);
      this.carry = new Uint8Array(0);
    }
    const start = at;
    const n = src.length;
    let i = 0;
    while (i < n) {
      const b = src[i]!;
      if (b < 0x80) {
        if (b === 0x22 || b === 0x5c) {
          out[at++] = 0x5c;
          out[at++] = b;
        } else if (b < 0x20) {
          out[at++] = 0x5c;
          const short = SHORT[b];
          if (short !== undefined) out[at++] = short;
          else {
            out[at++] = 0x75; // \u00xx
            out[at++] = 0x30;
            out[at++] = 0x30;
            out[at++] = HEX.charCodeAt(b >> 4);
            out[at++] = HEX.charCodeAt(b & 15);
          }
        } else out[at++] = b;
        i++;
        continue;
      }
      const lead = leadOf(b);
      if (!lead) {
        for (const x of FFFD) out[at++] = x;
        i++;
        continue;
      }
      const [need, lo, hi] = lead;
      let k = 1;
      let bad = false;
      for (; k <= need; k++) {
        if (i + k >= n) break;
        const c = src[i + k]!;
        if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) {
          bad = true;
          break;
        }
      }
      if (bad) {
        // One U+FFFD for the lead and the continuation bytes that were valid; the offending byte is read again.
        for (const x of FFFD) out[at++] = x;
        i += k;
        continue;
      }
      if (k <= need) {
        // Cut by the end of the chunk.
        if (final) {
          for (const x of FFFD) out[at++] = x;
          i = n;
        } else {
          this.carry = src.slice(i);
          i = n;
        }
        break;
      }
      for (let j = 0; j <= need; j++) out[at++] = src[i + j]!;
      i += need + 1;
    }
    return at - start;
  }

  /** What an end of stream makes of a held incomplete sequence: U+FFFD (3 bytes) or nothing. */
  finish(out: Buffer, at: number): number {
    if (!this.carry.length) return 0;
    this.carry = new Uint8Array(0);
    for (let j = 0; j < 3; j++) out[at + j] = FFFD[j]!;
    return 3;
  }
}
