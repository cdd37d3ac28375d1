import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseAsciicastLine } from '../../../protocol/src/recordings.js';
import { AppendFile, FlushTick, type AppendTarget } from './append-file.js';
import { AsciicastWriter } from './asciicast-writer.js';

const memory = () => {
  const t = { data: Buffer.alloc(0), writes: 0 };
  const target: AppendTarget = {
    write: async (b) => {
      t.writes++;
      const bytes = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
      t.data = Buffer.concat([t.data, bytes]);
      return { bytesWritten: bytes.length };
    },
    datasync: async () => undefined,
    close: async () => undefined,
  };
  return { t, target };
};

/** A writer on an in-memory file with a controllable clock. */
function setup(opts: { input?: boolean; flushMs?: number } = {}) {
  const { t, target } = memory();
  let now = 1_700_000_000_000;
  // A tick of its own: the process-wide one would outlive this test's fake timers.
  const file = new AppendFile(target, () => undefined, { tick: new FlushTick(opts.flushMs ?? 100) });
  const w = new AsciicastWriter(file, { width: 80, height: 24, title: 'vmuser@vm-ssh' }, { input: opts.input ?? false, now: () => now });
  const lines = () => t.data.toString('utf8').split('\n').filter(Boolean);
  return { w, t, lines, tick: (ms: number) => (now += ms) };
}

describe('AsciicastWriter', () => {
  afterEach(() => vi.useRealTimers());

  it('writes a v2 header, then one JSON line per event with seconds since the start', async () => {
    const { w, lines, tick } = setup();
    tick(250);
    w.output(Buffer.from('$ echo hi\r\nhi\r\n'));
    tick(1000);
    w.resize(120, 40);
    w.resize(120, 40); // unchanged: no event
    await w.close();
    const [header, ...events] = lines();
    expect(JSON.parse(header!)).toEqual({ version: 2, width: 80, height: 24, timestamp: 1_700_000_000, env: { TERM: 'xterm-256color' }, title: 'vmuser@vm-ssh' });
    expect(events.map((l) => JSON.parse(l))).toEqual([
      [0.25, 'o', '$ echo hi\r\nhi\r\n'],
      [1.25, 'r', '120x40'],
    ]);
    for (const l of lines()) expect(parseAsciicastLine(l)).toBeDefined();
  });

  it('keeps a multi-byte character split between chunks whole (streaming UTF-8 decoding)', async () => {
    const { w, lines } = setup();
    const bytes = Buffer.from('é€😀', 'utf8'); // 2 + 3 + 4 bytes
    w.output(bytes.subarray(0, 1)); // half an é: nothing to emit yet
    w.output(bytes.subarray(1, 4)); // é and two thirds of €
    w.output(bytes.subarray(4, 7)); // € and the first byte of 😀
    w.output(bytes.subarray(7));
    await w.close();
    const data = lines().slice(1).map((l) => (JSON.parse(l) as [number, string, string])[2]);
    expect(data.join('')).toBe('é€😀');
    expect(data).toEqual(['é', '€', '😀']);
    for (const d of data) expect(d).not.toContain('\uFFFD');
  });

  it('an incomplete character at the end becomes U+FFFD, still valid JSON', async () => {
    const { w, lines } = setup();
    w.output(Buffer.from([0x61, 0xe2, 0x82]));
    await w.close();
    expect(lines().slice(1).map((l) => JSON.parse(l)[2])).toEqual(['a', '\uFFFD']);
  });

  it('records input only when configured ("i" events may hold passwords)', async () => {
    const off = setup();
    off.w.input(Buffer.from('secret\r'));
    await off.w.close();
    expect(off.lines()).toHaveLength(1);
    const on = setup({ input: true });
    on.w.input(Buffer.from('ls\r'));
    await on.w.close();
    expect(JSON.parse(on.lines()[1]!)).toEqual([0, 'i', 'ls\r']);
  });

  it('batches events: nothing reaches the file before 100 ms, then one write', async () => {
    vi.useFakeTimers();
    const { w, t } = setup({ flushMs: 100 });
    w.output(Buffer.from('a'));
    w.output(Buffer.from('b'));
    w.resize(100, 30);
    await vi.advanceTimersByTimeAsync(50);
    expect(t.writes).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(t.writes).toBe(1);
    expect(t.data.toString().trim().split('\n')).toHaveLength(4);
  });

  it('a live reader joining mid-way gets file + tail + later lines: the whole cast, no gap or repeat', async () => {
    const { w, t } = setup({ flushMs: 100 });
    w.output(Buffer.from('one'));
    await (w as unknown as { file: AppendFile }).file.flush();
    w.output(Buffer.from('two')); // queued, not yet written
    const later: string[] = [];
    let ended = false;
    const joined = w.join((text) => later.push(text), () => (ended = true));
    w.output(Buffer.from('three'));
    await w.close();
    const seen = t.data.subarray(0, joined.fileBytes).toString() + joined.tail.toString() + later.join('');
    expect(seen).toBe(t.data.toString());
    expect(ended).toBe(true);
  });
});
