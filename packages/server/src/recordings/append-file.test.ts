import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppendFile, type AppendTarget } from './append-file.js';

/** An in-memory file: what was written, how often, and when it was synced. */
class MemoryTarget implements AppendTarget {
  data = Buffer.alloc(0);
  writes = 0;
  syncs = 0;
  closed = false;
  failWith: Error | undefined;
  async write(data: Uint8Array | string): Promise<{ bytesWritten: number }> {
    if (this.failWith) throw this.failWith;
    this.writes++;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.data = Buffer.concat([this.data, bytes]);
    return { bytesWritten: bytes.length };
  }
  async datasync(): Promise<void> {
    this.syncs++;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('AppendFile', () => {
  afterEach(() => vi.useRealTimers());

  it('writes a batch at most flushMs after the first append, in one write', async () => {
    vi.useFakeTimers();
    const target = new MemoryTarget();
    const f = new AppendFile(target, () => undefined, { flushMs: 100 });
    f.append(Buffer.from('a'));
    f.append(Buffer.from('b'));
    await vi.advanceTimersByTimeAsync(99);
    expect(target.writes).toBe(0);
    expect(f.snapshot()).toEqual({ fileBytes: 0, tail: Buffer.from('ab') });
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(target.writes).toBe(1);
    expect(target.data.toString()).toBe('ab');
    expect(f.snapshot()).toEqual({ fileBytes: 2, tail: Buffer.alloc(0) });
  });

  it('syncs at most every syncMs while data flows, and once after a pause', async () => {
    vi.useFakeTimers();
    const target = new MemoryTarget();
    const f = new AppendFile(target, () => undefined, { flushMs: 10, syncMs: 1000 });
    for (let i = 0; i < 50; i++) {
      f.append(Buffer.from('x'));
      await vi.advanceTimersByTimeAsync(50);
    }
    // 2.5 s of steady output: two or three syncs, not fifty.
    expect(target.syncs).toBeGreaterThanOrEqual(2);
    expect(target.syncs).toBeLessThanOrEqual(3);
    const before = target.syncs;
    await vi.advanceTimersByTimeAsync(1500); // the pause: the last batch is synced too
    expect(target.syncs).toBe(before + 1);
  });

  it('close flushes, syncs and closes; later appends are ignored', async () => {
    const target = new MemoryTarget();
    const f = new AppendFile(target, () => undefined, { flushMs: 60_000 });
    f.append(Buffer.from('tail'));
    await f.close();
    expect(target.data.toString()).toBe('tail');
    expect(target.syncs).toBe(1);
    expect(target.closed).toBe(true);
    f.append(Buffer.from('late'));
    await f.close();
    expect(target.data.toString()).toBe('tail');
  });

  it('a write error (disk full) is reported once and stops writing; what was written stays', async () => {
    const target = new MemoryTarget();
    const errors: Error[] = [];
    const f = new AppendFile(target, (e) => errors.push(e), { flushMs: 1 });
    f.append(Buffer.from('kept'));
    await f.flush();
    target.failWith = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    f.append(Buffer.from('lost'));
    await f.flush();
    f.append(Buffer.from('ignored'));
    await f.close();
    expect(errors).toHaveLength(1);
    expect(f.failed?.message).toMatch(/ENOSPC/);
    expect(target.data.toString()).toBe('kept');
    expect(f.written).toBe(4);
  });

  it('fails rather than buffering without bound when the disk stalls', () => {
    const errors: Error[] = [];
    const f = new AppendFile(new MemoryTarget(), (e) => errors.push(e), { flushMs: 60_000, maxPendingBytes: 10 });
    f.append(Buffer.alloc(8));
    f.append(Buffer.alloc(8));
    expect(errors[0]?.message).toMatch(/waiting for the disk/);
  });

  it('creates its file exclusively (mode 0600) and never overwrites another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-append-'));
    try {
      const path = join(dir, '2026', '01', 'a.cast');
      const f = await AppendFile.create(path, () => undefined);
      f.append(Buffer.from('one\n'));
      await f.close();
      expect(readFileSync(path, 'utf8')).toBe('one\n');
      await expect(AppendFile.create(path, () => undefined)).rejects.toThrow(/EEXIST/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('AppendFile batches', () => {
  it('counts text as UTF-8; a full batch goes at once; slabs are reused, grown for a burst', async () => {
    const writes: string[] = [];
    const target: AppendTarget = { write: async (d) => (writes.push(Buffer.from(d).toString()), { bytesWritten: d.length }), datasync: async () => undefined, close: async () => undefined };
    const f = new AppendFile(target, () => undefined, { flushMs: 60_000, batchBytes: 8 });
    f.append('é€'); // 5 bytes
    expect(writes).toEqual([]);
    f.append('abc'); // 8 bytes: written without waiting for the timer
    await f.flush();
    expect(writes).toEqual(['é€abc']);
    expect(f.written).toBe(8);
    const big = 'x'.repeat(200_000); // larger than a slab
    f.append(big);
    f.append('y');
    await f.flush();
    expect(writes.slice(1).join('')).toBe(`${big}y`);
    f.append('z');
    await f.flush();
    expect(writes.at(-1)).toBe('z');
    expect(f.written).toBe(8 + 200_002);
  });

  it('reserve/commit encodes in place; a reservation not committed leaves nothing', async () => {
    const target = new MemoryTarget();
    const f = new AppendFile(target, () => undefined);
    const r = f.reserve(10);
    r.buf.write('abc', r.at);
    f.commit(3);
    f.reserve(10).buf.write('zzz', f.reserve(10).at); // not committed
    await f.close();
    expect(target.data.toString()).toBe('abc');
  });
});
