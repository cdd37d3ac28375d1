import { describe, expect, it } from 'vitest';
import { CastLineReader, durationText, liveWatchUrl, sizeText } from './recordings-api.js';

describe('CastLineReader', () => {
  it('parses whole lines only, whatever the frame boundaries', () => {
    const r = new CastLineReader();
    expect(r.push('{"version":2,"width":100,"height":30,"timestamp":1,"env":{"TERM":"xterm-256color"},"title":"t"}\n[0.5,"o","he')).toEqual([
      { kind: 'header', header: { version: 2, width: 100, height: 30, timestamp: 1, env: { TERM: 'xterm-256color' }, title: 't' } },
    ]);
    expect(r.push('llo"]\n[1,"r","120x40"]\nnot json\n')).toEqual([
      { kind: 'event', event: [0.5, 'o', 'hello'] },
      { kind: 'event', event: [1, 'r', '120x40'] },
    ]);
  });
});

describe('formatting', () => {
  it('sizes and durations', () => {
    expect(sizeText(512)).toBe('512 B');
    expect(sizeText(1536)).toBe('1.5 KB');
    expect(sizeText(50 * 1024 * 1024)).toBe('50 MB');
    expect(durationText('2026-01-01T00:00:00Z', '2026-01-01T00:00:12Z')).toBe('12 s');
    expect(durationText('2026-01-01T00:00:00Z', '2026-01-01T01:02:03Z')).toBe('1 h 02 min');
  });
  it('the live URL is wss on https', () => {
    expect(liveWatchUrl('abc', { protocol: 'https:', host: 'b:8443' })).toBe('wss://b:8443/api/recordings/abc/live');
  });
});
