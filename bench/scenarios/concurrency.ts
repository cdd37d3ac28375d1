import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { TestbedInfo } from '../../test/helpers/testbed.js';
import { startGateway, type Gateway } from '../lib/gateway.js';
import { fmt, groupErrors, type Results } from '../lib/results.js';
import { nowMs, percentile, pool, sleep } from '../lib/stats.js';
import { echoOnce, openBastion, openSsh2Direct, type Term } from '../lib/terminals.js';

/**
 * Scenario 4: N browser-SSH sessions held open and active, each typing one keystroke per second, through
 * one bastion process started fresh for each N (so its memory is that N's alone). Sessions alternate
 * between vm-ssh and vm-ssh2. Connects are ramped through a small pool: OpenSSH's default MaxStartups
 * (10:30:100) starts refusing a VM's unauthenticated connections beyond 10 at once.
 */

export interface ConcurrencyOptions {
  counts: number[];
  /** Runs per N (at most 2 for N ≥ 1000). */
  runs: number;
  holdSeconds: number;
  /** Connects in flight at once, over both VMs (≤ 10 per sshd). */
  connectPool: number;
  /** Also run these N with session recording off (a diagnostic: what recording costs under load). */
  withoutRecording?: number[];
  /** Run the bastion under --cpu-prof, profiles written here. */
  cpuProfDir?: string | undefined;
}

interface Outcome {
  n: number;
  connected: number;
  errors: string[];
  rampSeconds: number;
  rssBaseMb: number;
  rssPeakMb: number;
  rssPerSessionKb: number;
  cpuPercent: number;
  echoP50: number;
  echoP99: number;
  keystrokes: number;
  /** Control: one ssh2 session straight to vm-ssh typing at the same pace during the hold. */
  directEchoP99: number;
  /** This process's own event-loop delay p99 during the hold (a busy load generator inflates echo times). */
  loadGenLagP99: number;
  recordings?: boolean;
}

export async function concurrency(r: Results, tb: TestbedInfo, o: ConcurrencyOptions): Promise<void> {
  const outcomes: Outcome[] = [];
  // Each N `runs` times (N ≥ 1000 at most twice, to keep a full run well under 20 minutes), then the
  // recording-off diagnostic once; a fresh bastion every time.
  const plan = [
    ...o.counts.flatMap((n) => Array.from({ length: n >= 1000 ? Math.min(2, o.runs) : o.runs }, () => ({ n, recordings: true }))),
    ...(o.withoutRecording ?? []).map((n) => ({ n, recordings: false })),
  ];
  for (const { n, recordings } of plan) {
    const gw = await startGateway(tb, { recordings, ...(o.cpuProfDir ? { cpuProfDir: o.cpuProfDir } : {}) });
    try {
      outcomes.push({ ...(await hold(gw, tb, n, o)), recordings });
    } finally {
      await gw.stop();
    }
    // sshd and PAM in the VMs wind the closed sessions down; give them a moment before the next N.
    await sleep(n >= 500 ? 5_000 : 1_000);
  }
  const groups = new Map<string, Outcome[]>();
  for (const x of outcomes) {
    const key = `N=${x.n}${x.recordings ? '' : ' (recording off)'}`;
    groups.set(key, [...(groups.get(key) ?? []), x]);
  }
  for (const [s, xs] of groups) {
    const all = (f: (x: Outcome) => number): number[] => xs.map(f);
    r.add('ssh-concurrency', `${s} gateway RSS per session`, 'bastion', 'KB', all((x) => x.rssPerSessionKb));
    r.add('ssh-concurrency', `${s} gateway RSS`, 'bastion', 'MB', all((x) => x.rssPeakMb));
    r.add('ssh-concurrency', `${s} gateway CPU`, 'bastion', '% of one core', all((x) => x.cpuPercent));
    r.add('ssh-concurrency', `${s} echo p50 under load`, 'bastion', 'ms', all((x) => x.echoP50));
    r.add('ssh-concurrency', `${s} echo p99 under load`, 'bastion', 'ms', all((x) => x.echoP99));
    r.add('ssh-concurrency', `${s} echo p99 under load`, 'ssh2-direct', 'ms', all((x) => x.directEchoP99));
    r.add('ssh-concurrency', `${s} load generator event-loop delay p99`, 'bastion', 'ms', all((x) => x.loadGenLagP99));
    r.add('ssh-concurrency', `${s} connect ramp`, 'bastion', 's', all((x) => x.rampSeconds));
    r.add('ssh-concurrency', `${s} errors`, 'bastion', 'count', all((x) => x.errors.length));
    const errors = xs.flatMap((x) => x.errors);
    if (errors.length) r.note(`SSH ${s}: ${errors.length} errors over ${xs.length} runs: ${groupErrors(errors)}`);
  }
  const big = r.find('ssh-concurrency', 'N=1000 echo p99 under load', 'bastion');
  const bigRss = r.find('ssh-concurrency', 'N=1000 gateway RSS per session', 'bastion');
  const bigErrors = r.find('ssh-concurrency', 'N=1000 errors', 'bastion');
  r.target(
    '1000 concurrent SSH sessions: 0 errors, ≤ 1 MB gateway RSS per session, echo p99 ≤ 20 ms',
    big && bigRss && bigErrors ? `${fmt(bigErrors.max)} errors (worst run), ${fmt(bigRss.median)} KB/session, p99 ${fmt(big.median)} ms` : 'not run (N=1000 not in this run)',
    big && bigRss && bigErrors ? bigErrors.max === 0 && bigRss.median <= 1024 && big.median <= 20 : undefined,
    big?.median ?? NaN,
  );
  r.raw.sshConcurrency = outcomes;
}

async function hold(gw: Gateway, tb: TestbedInfo, n: number, o: ConcurrencyOptions): Promise<Outcome> {
  const vms = tb.vms.filter((v) => v.name === 'vm-ssh' || v.name === 'vm-ssh2');
  const auth = { type: 'privateKey', privateKey: readFileSync(tb.clientKeyPath, 'utf8') };
  await sleep(500);
  const base = gw.sample();
  const errors: string[] = [];
  const t0 = nowMs();
  const opened = await pool(n, o.connectPool, (i) => openBastion(gw, vms[i % vms.length]!, tb, auth, 60_000));
  const rampSeconds = (nowMs() - t0) / 1000;
  const terms: Term[] = [];
  for (const x of opened) {
    if (x.status === 'fulfilled') terms.push(x.value.term);
    else errors.push(`connect: ${(x.reason as Error).message}`);
  }
  // Each session types once a second at its own phase; the hold window starts when all are connected.
  // A direct ssh2 session types alongside: what the same machine load does to an echo without Bastion.
  const control = await openSsh2Direct(vms[0]!, tb);
  const direct: number[] = [];
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const latencies: number[] = [];
  let rssPeak = gw.sample().rssBytes;
  const cpuStart = gw.sample().cpuSeconds;
  const holdStart = nowMs();
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, gw.sample().rssBytes)), 1000);
  const typist = async (term: Term, i: number, into: number[]): Promise<void> => {
    await sleep(((i * 1000) / Math.max(1, terms.length)) % 1000);
    for (let k = 0; k < o.holdSeconds; k++) {
      const tick = nowMs();
      if (term.ended) return void errors.push(`session ${i} ended: ${term.ended}`);
      try {
        into.push(await echoOnce(term, 'abcdefghijklmnopqrstuvwxyz'[k % 26]!, 10_000));
      } catch (err) {
        return void errors.push(`session ${i}: ${(err as Error).message}`);
      }
      if (k % 50 === 49) term.write('\x15');
      await sleep(Math.max(0, 1000 - (nowMs() - tick)));
    }
  };
  await Promise.all([...terms.map((t, i) => typist(t, i, latencies)), typist(control.term, -1, direct)]);
  lag.disable();
  control.term.close();
  clearInterval(sampler);
  const cpuPercent = ((gw.sample().cpuSeconds - cpuStart) / ((nowMs() - holdStart) / 1000)) * 100;
  rssPeak = Math.max(rssPeak, gw.sample().rssBytes);
  for (const t of terms) t.close();
  return {
    n,
    connected: terms.length,
    errors,
    rampSeconds,
    rssBaseMb: base.rssBytes / 2 ** 20,
    rssPeakMb: rssPeak / 2 ** 20,
    rssPerSessionKb: (rssPeak - base.rssBytes) / 1024 / Math.max(1, terms.length),
    cpuPercent,
    echoP50: percentile(latencies, 50),
    echoP99: percentile(latencies, 99),
    keystrokes: latencies.length,
    directEchoP99: percentile(direct, 99),
    loadGenLagP99: lag.percentile(99) / 1e6,
  };
}
