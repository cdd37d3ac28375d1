import { readFileSync } from 'node:fs';
import type { TestbedInfo, TestbedVm } from '../../test/helpers/testbed.js';
import type { Gateway } from '../lib/gateway.js';
import { fmt, type PathName, type Results } from '../lib/results.js';
import { percentile } from '../lib/stats.js';
import { echoLatencies, openBastion, openSsh2Direct, type Term } from '../lib/terminals.js';
import { keyRepeat, openSsh2Exec } from '../lib/typing.js';

/**
 * Typing patterns of issue 20, each beside ssh2 straight to the VM from this same process: back-to-back
 * echo (the next key is sent the moment the echo arrives), key repeat at 30 keys/s (keys sent on a fixed
 * schedule, echoes overlapping), and echo on a non-PTY `exec cat` channel — the last both over a
 * TCP_NODELAY socket (as the gateway dials) and with ssh2 dialling by itself (`ssh2-default`), so that a
 * per-packet delay in the transport (Nagle's algorithm against the VM's delayed ACK, ~40 ms) shows as a
 * figure instead of hiding in every path alike.
 */

export interface TypingOptions {
  runs: number;
  keystrokes: number;
}

const REPEAT_INTERVAL_MS = 1000 / 30;

async function withTerm<T>(open: () => Promise<Term>, use: (t: Term) => Promise<T>): Promise<T> {
  const term = await open();
  try {
    return await use(term);
  } finally {
    term.close();
  }
}

export async function sshTyping(r: Results, gw: Gateway, tb: TestbedInfo, vm: TestbedVm, o: TypingOptions): Promise<void> {
  const auth = { type: 'privateKey', privateKey: readFileSync(tb.clientKeyPath, 'utf8') };
  const p50 = new Map<string, number[]>();
  const p99 = new Map<string, number[]>();
  const keep = (metric: string, path: PathName, samples: number[]): void => {
    const k = `${metric}|${path}`;
    p50.set(k, [...(p50.get(k) ?? []), percentile(samples, 50)]);
    p99.set(k, [...(p99.get(k) ?? []), percentile(samples, 99)]);
  };
  const bastion = async (): Promise<Term> => (await openBastion(gw, vm, tb, auth)).term;
  const direct = async (): Promise<Term> => (await openSsh2Direct(vm, tb)).term;
  // Paths alternate inside each run (load drift on the shared cores spreads over all of them); 10
  // untimed keys first in every session, as in ssh-echo.
  for (let run = 0; run < o.runs; run++) {
    for (const [path, open] of [['bastion', bastion], ['ssh2-direct', direct]] as const) {
      await withTerm(open, async (t) => {
        await echoLatencies(t, 10);
        keep('back-to-back echo', path, await echoLatencies(t, o.keystrokes));
        keep('key repeat (30 keys/s) echo', path, await keyRepeat(t, o.keystrokes, REPEAT_INTERVAL_MS));
      });
    }
    for (const noDelay of [true, false]) {
      await withTerm(() => openSsh2Exec(vm, tb, { noDelay }), async (t) => {
        await echoLatencies(t, 10);
        keep('exec echo (no PTY)', noDelay ? 'ssh2-direct' : 'ssh2-default', await echoLatencies(t, o.keystrokes, { gapMs: 5 }));
      });
    }
  }
  for (const [k, values] of p50) {
    const [metric, path] = k.split('|') as [string, PathName];
    r.add('ssh-typing', `${metric} p50`, path, 'ms', values);
    r.add('ssh-typing', `${metric} p99`, path, 'ms', p99.get(k)!);
  }
  // Issue 20's echo targets, against the same measuring client straight to the VM.
  for (const metric of ['back-to-back echo', 'key repeat (30 keys/s) echo']) {
    for (const [p, slack] of [['p50', 0.15], ['p99', 1]] as const) {
      const b = r.find('ssh-typing', `${metric} ${p}`, 'bastion')!.median, d = r.find('ssh-typing', `${metric} ${p}`, 'ssh2-direct')!.median;
      r.target(`${metric} ${p} ≤ ssh2-direct + ${slack} ms (issue 20)`, `${fmt(b)} ms vs ${fmt(d)} ms (+${fmt(b - d)} ms)`, b <= d + slack, b, d);
    }
  }
  const nagle = r.find('ssh-typing', 'exec echo (no PTY) p50', 'ssh2-default')!.median, nd = r.find('ssh-typing', 'exec echo (no PTY) p50', 'ssh2-direct')!.median;
  r.note(`Non-PTY exec echo p50: ${fmt(nd)} ms over a TCP_NODELAY socket (as the gateway dials) vs ${fmt(nagle)} ms with ssh2 dialling by itself (no TCP_NODELAY): the difference is what Nagle's algorithm costs per packet with this install's ssh2 crypto path.`);
  r.raw.sshTyping = { keystrokesPerRun: o.keystrokes, repeatIntervalMs: REPEAT_INTERVAL_MS, p50: Object.fromEntries(p50), p99: Object.fromEntries(p99) };
}
