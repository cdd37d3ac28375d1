import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppendFile, FlushTick, SyncLimiter, type AppendTarget } from './append-file.js';

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
    const f = new AppendFile(target, () => undefined, { tick: new FlushTick(100), syncLimiter: new SyncLimiter() });
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
    const f = new AppendFile(target, () => undefined, { tick: new FlushTick(10), syncLimiter: new SyncLimiter(), syncMs: 1000 });
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

describe('AppendFile on a disk that fills up mid-batch', () => {
  /** A real file whose disk takes `room` more bytes, then answers ENOSPC (a short write first, as the kernel does). */
  async function fullDisk(room: number, truncate = true) {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-full-'));
    const path = join(dir, 'f.cast');
    const { open } = await import('node:fs/promises');
    const fh = await open(path, 'wx', 0o600);
    let left = room;
    const target: AppendTarget = {
      write: async (b) => {
        if (left === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        const n = Math.min(left, b.length);
        left -= n;
        return fh.write(b, 0, n);
      },
      datasync: () => fh.datasync(),
      close: () => fh.close(),
      ...(truncate ? { truncate: (len: number) => fh.truncate(len) } : {}),
    };
    return { path, target, done: () => rmSync(dir, { recursive: true, force: true }) };
  }

  it('cuts the file back to its last complete line and counts exactly what stays', async () => {
    const disk = await fullDisk(25);
    const errors: string[] = [];
    const f = new AppendFile(disk.target, (e) => errors.push((e as NodeJS.ErrnoException).code ?? e.message), { tick: new FlushTick(100), syncLimiter: new SyncLimiter(), lastFrameEnd: (b) => b.lastIndexOf(0x0a) + 1 });
    f.append('line one\n');
    await f.flush();
    f.append('line two\nline three\nline four\n');
    await f.flush();
    await f.close();
    expect(errors).toEqual(['ENOSPC']);
    // 25 bytes reached the disk: "line one\nline two\nline t"; the cut line is gone and the count is true.
    expect(readFileSync(disk.path, 'utf8')).toBe('line one\nline two\n');
    expect(f.written).toBe(18);
    expect(f.cutBytes).toBe(7);
    expect(f.truncateError).toBeUndefined();
    disk.done();
  });

  it('says so when the cut itself is refused, and counts what is on disk', async () => {
    const disk = await fullDisk(12, false);
    const f = new AppendFile(disk.target, () => undefined, { tick: new FlushTick(100), syncLimiter: new SyncLimiter(), lastFrameEnd: (b) => b.lastIndexOf(0x0a) + 1 });
    f.append('line one\nline two\n');
    await f.close();
    expect(f.written).toBe(12);
    expect(f.truncateError).toBeDefined();
    disk.done();
  });

  it('durable() has the header written and synced before it resolves', async () => {
    const target = new MemoryTarget();
    const f = new AppendFile(target, () => undefined, { tick: new FlushTick(60_000), syncLimiter: new SyncLimiter() });
    f.append('{"version":2}\n');
    await f.durable();
    expect(target.data.toString()).toBe('{"version":2}\n');
    expect(target.syncs).toBe(1);
    expect(f.failed).toBeUndefined();
    await f.close();
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

/** A job whose end the test decides. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SyncLimiter', () => {
  it('runs at most maxInFlight jobs at a time, starting the next as one ends', async () => {
    const limiter = new SyncLimiter(2);
    const jobs = Array.from({ length: 5 }, () => deferred());
    const started: number[] = [];
    const done = jobs.map((j, i) => limiter.run({}, () => (started.push(i), j.promise)));
    expect(started).toEqual([0, 1]);
    expect([limiter.inFlight, limiter.waiting]).toEqual([2, 3]);
    jobs[1]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.inFlight).toBe(2);
    for (const j of jobs) j.resolve();
    await Promise.all(done);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect([limiter.inFlight, limiter.waiting]).toEqual([0, 0]);
  });

  it('coalesces: a key already waiting is not queued twice; a key whose job runs is queued again', async () => {
    const limiter = new SyncLimiter(1);
    const blocker = deferred();
    void limiter.run({}, () => blocker.promise);
    const file = {};
    let runs = 0;
    const job = () => (runs++, Promise.resolve());
    const first = limiter.run(file, job);
    const again = limiter.run(file, job);
    expect(again).toBe(first);
    expect(limiter.waiting).toBe(1);
    blocker.resolve();
    await Promise.all([first, again]);
    expect(runs).toBe(1);

    const running = deferred();
    const a = limiter.run(file, () => (runs++, running.promise));
    await settle();
    const b = limiter.run(file, job); // asked while it runs: bytes written meanwhile need their own sync
    expect(b).not.toBe(a);
    expect(limiter.waiting).toBe(1);
    running.resolve();
    await Promise.all([a, b]);
    expect(runs).toBe(3);
  });

  it('is FIFO: every key gets its turn, a busy key asking again goes to the back', async () => {
    const limiter = new SyncLimiter(2);
    const keys = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name }));
    const order: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const job = (k: { name: string }) => () => {
      order.push(k.name);
      const g = deferred();
      gates.set(`${k.name}${order.filter((n) => n === k.name).length}`, g);
      return g.promise;
    };
    for (const k of keys) void limiter.run(k, job(k));
    expect(order).toEqual(['a', 'b']);
    void limiter.run(keys[0]!, job(keys[0]!)); // a asks again while its first sync runs
    gates.get('a1')!.resolve();
    await settle();
    gates.get('b1')!.resolve();
    await settle();
    for (const name of ['c1', 'd1', 'e1']) {
      gates.get(name)!.resolve();
      await settle();
    }
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e', 'a']);
    gates.get('a2')!.resolve();
  });

  it('isolates errors: a failing job rejects its own promise only, the queue goes on', async () => {
    const limiter = new SyncLimiter(2);
    const results = await Promise.allSettled([
      limiter.run({}, () => Promise.reject(new Error('EIO'))),
      limiter.run({}, () => {
        throw new Error('sync threw');
      }),
      limiter.run({}, () => Promise.resolve()),
      limiter.run({}, () => Promise.resolve()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect([limiter.inFlight, limiter.waiting]).toEqual([0, 0]);
  });
});

describe('AppendFile with the shared tick and sync limiter', () => {
  afterEach(() => vi.useRealTimers());

  it('many files share one timer, which stops when every file is written and synced', async () => {
    vi.useFakeTimers();
    const tick = new FlushTick(100);
    const syncLimiter = new SyncLimiter(2);
    const targets = Array.from({ length: 100 }, () => new MemoryTarget());
    const files = targets.map((t) => new AppendFile(t, () => undefined, { tick, syncLimiter, syncMs: 1000 }));
    expect(vi.getTimerCount()).toBe(0);
    files.forEach((f, i) => f.append(`line ${i}\n`));
    expect(vi.getTimerCount()).toBe(1);
    expect(tick.size).toBe(100);
    await vi.advanceTimersByTimeAsync(100);
    expect(targets.every((t) => t.writes === 1 && t.syncs === 0)).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(targets.every((t) => t.syncs === 1)).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(tick.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    files[3]!.append('again\n'); // the next byte starts it again
    expect(tick.running).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(targets[3]!.data.toString()).toBe('line 3\nagain\n');
  });

  it('due syncs go ≤ 2 at a time, each file once; close syncs directly, not behind the queue', async () => {
    vi.useFakeTimers();
    const tick = new FlushTick(100);
    const syncLimiter = new SyncLimiter(2);
    let inFlight = 0;
    let maxInFlight = 0;
    const gates: Array<() => void> = [];
    const slow = () => {
      const t = new MemoryTarget();
      t.datasync = () => {
        t.syncs++;
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        return new Promise<void>((resolve) => gates.push(() => (inFlight--, resolve())));
      };
      return t;
    };
    const targets = Array.from({ length: 6 }, slow);
    const files = targets.map((t) => new AppendFile(t, () => undefined, { tick, syncLimiter, syncMs: 1000 }));
    for (const f of files) f.append('x');
    await vi.advanceTimersByTimeAsync(1100); // written, and every sync due
    expect([syncLimiter.inFlight, syncLimiter.waiting]).toEqual([2, 4]);
    await vi.advanceTimersByTimeAsync(500); // more ticks: nobody is queued twice
    expect(syncLimiter.waiting).toBe(4);
    const closing = files[5]!.close(); // queued last: its own sync starts at once
    await vi.advanceTimersByTimeAsync(0);
    expect(targets[5]!.syncs).toBe(1);
    expect(syncLimiter.waiting).toBe(4); // its queued job is skipped when its turn comes
    while (gates.length) {
      gates.shift()!();
      await vi.advanceTimersByTimeAsync(0);
    }
    await closing;
    expect(targets[5]!.closed).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(3); // the 2 of the limiter + the closing file's own
    expect(targets.map((t) => t.syncs)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(syncLimiter.inFlight + syncLimiter.waiting).toBe(0);
  });

  it('a failing fdatasync fails that file only (reported once); the others are synced', async () => {
    vi.useFakeTimers();
    const tick = new FlushTick(100);
    const syncLimiter = new SyncLimiter(2);
    const bad = new MemoryTarget();
    bad.datasync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    const good = [new MemoryTarget(), new MemoryTarget()];
    const errors: Error[] = [];
    const files = [bad, ...good].map((t, i) => new AppendFile(t, (e) => errors.push(e), { tick, syncLimiter, syncMs: 1000, now: () => Date.now() + i }));
    for (const f of files) f.append('x');
    await vi.advanceTimersByTimeAsync(1200);
    expect(errors.map((e) => e.message)).toEqual(['EIO: i/o error, fdatasync']);
    expect(files[0]!.failed).toBeDefined();
    expect(good.map((t) => t.syncs)).toEqual([1, 1]);
    files[0]!.append('more');
    await vi.advanceTimersByTimeAsync(1200);
    expect(bad.data.toString()).toBe('x');
  });
});
