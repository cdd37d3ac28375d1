/**
 * What every AppendFile of a process shares (design 0006, Crash safety): one flush tick and one fdatasync
 * limiter, so 1000 recorded sessions cost one timer and at most 2 syncs in flight.
 */

/**
 * Runs fdatasync jobs with at most `maxInFlight` at a time, in the order they were asked for (FIFO), one
 * queued job per key: asking again for a key that is already waiting joins that job (coalescing), asking
 * for a key whose job is running queues a new one (what was written meanwhile is not covered by it). A job
 * that fails rejects its own promise only; the others go on.
 *
 * Why: 1000 recorded sessions each syncing every second were ~1000 fdatasync/s through libuv's 4 threads,
 * each an ext4 journal commit, which loaded the whole machine (docs/benchmarks.md). One limiter per process
 * bounds the syncs in flight whatever the number of files.
 */
export class SyncLimiter {
  private static instance: SyncLimiter | undefined;
  /** Insertion-ordered: the first entry is the oldest request. */
  private readonly queue = new Map<object, { run: () => Promise<void>; promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void }>();
  private running = 0;

  constructor(readonly maxInFlight = 2) {}

  /** The process-wide limiter every AppendFile uses by default. */
  static shared(): SyncLimiter {
    return (SyncLimiter.instance ??= new SyncLimiter(2));
  }

  /** Jobs running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Jobs waiting for a slot. */
  get waiting(): number {
    return this.queue.size;
  }

  /** Runs `run` when a slot is free, unless a job for `key` is already waiting: then that job's promise. */
  run(key: object, run: () => Promise<void>): Promise<void> {
    const queued = this.queue.get(key);
    if (queued) return queued.promise;
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.queue.set(key, { run, promise, resolve, reject });
    this.pump();
    return promise;
  }

  private pump(): void {
    while (this.running < this.maxInFlight) {
      const next = this.queue.entries().next();
      if (next.done) return;
      const [key, job] = next.value;
      this.queue.delete(key);
      this.running++;
      let done: Promise<void>;
      try {
        done = job.run();
      } catch (err) {
        done = Promise.reject(err);
      }
      void done.then(job.resolve, job.reject).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }
}

/** What the tick calls: returns false when the member needs no more ticks (nothing pending or unsynced). */
export interface TickMember {
  onTick(): boolean;
}

/**
 * One interval for all files of a process instead of a timer per file: every `periodMs` it calls each member
 * that has something to do (bytes to write, a sync coming due). It runs only while some member needs it
 * (started by the first, stopped when none is left) and is unref'd, so it never keeps the process alive.
 */
export class FlushTick {
  private static readonly instances = new Map<number, FlushTick>();
  private readonly members = new Set<TickMember>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly periodMs = 100) {}

  /** The process-wide tick of this period (production uses one: 100 ms). */
  static shared(periodMs = 100): FlushTick {
    let tick = FlushTick.instances.get(periodMs);
    if (!tick) FlushTick.instances.set(periodMs, (tick = new FlushTick(periodMs)));
    return tick;
  }

  /** Members currently ticked (tests). */
  get size(): number {
    return this.members.size;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  add(member: TickMember): void {
    this.members.add(member);
    if (!this.timer) {
      this.timer = setInterval(() => this.run(), this.periodMs);
      this.timer.unref();
    }
  }

  delete(member: TickMember): void {
    this.members.delete(member);
    if (this.members.size === 0) this.stop();
  }

  private run(): void {
    // Deleting the current entry of a Set while iterating it is safe.
    for (const m of this.members) if (!m.onTick()) this.members.delete(m);
    if (this.members.size === 0) this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
