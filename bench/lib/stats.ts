/** Small statistics for the benchmark: percentiles of samples and min/median/max over repeated runs. */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
  runs: number;
}

/** min / median / max of one figure measured once per run. */
export function spread(values: readonly number[]): Spread {
  const ok = values.filter((v) => Number.isFinite(v));
  if (ok.length === 0) return { min: NaN, median: NaN, max: NaN, runs: 0 };
  const sorted = [...ok].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)!, runs: ok.length };
}

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `done` every `everyMs` until it holds; throws after `timeoutMs` naming `what`. */
export async function waitFor(what: string, done: () => boolean, timeoutMs: number, everyMs = 5): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Runs `tasks` with at most `limit` in flight (connect ramps: sshd's MaxStartups refuses bursts). */
export async function pool<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const out: PromiseSettledResult<T>[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i).then(
        (value) => ({ status: 'fulfilled', value }) as const,
        (reason: unknown) => ({ status: 'rejected', reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return out;
}
