import { describe, expect, it } from 'vitest';
import { asciicastEventLine, parseAsciicastLine, parseResize } from './recordings.js';

describe('asciicast lines', () => {
  it('round-trips events with microsecond times and any text', () => {
    const line = asciicastEventLine(1.23456789, 'o', 'a"b\\c\u001b[1m😀\r\n');
    expect(line).toBe(JSON.stringify([1.234568, 'o', 'a"b\\c\u001b[1m😀\r\n']));
    expect(parseAsciicastLine(line)).toEqual({ kind: 'event', event: [1.234568, 'o', 'a"b\\c\u001b[1m😀\r\n'] });
  });
  it('refuses what is not a v2 header or event, without throwing', () => {
    for (const bad of ['', '{', '[1,"x","a"]', '[1,"o"]', '["1","o","a"]', '{"version":1,"width":80,"height":24}', '[1,"o",2]', 'null'])
      expect(parseAsciicastLine(bad)).toBeUndefined();
  });
  it('resize data', () => {
    expect(parseResize('120x40')).toEqual({ cols: 120, rows: 40 });
    expect(parseResize('120x')).toBeUndefined();
  });
});
