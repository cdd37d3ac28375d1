import { readFileSync } from 'node:fs';
import type { TestbedInfo, TestbedVm } from '../../test/helpers/testbed.js';
import type { Gateway } from '../lib/gateway.js';
import { opensshBulk, opensshConnect, opensshEcho } from '../lib/openssh.js';
import { fmt, type Results } from '../lib/results.js';
import { percentile } from '../lib/stats.js';
import { bulkOutput, echoLatencies, openBastion, openSsh2Direct, type Term } from '../lib/terminals.js';

/**
 * Scenarios 1–3 of issue 7 on vm-ssh, each path timed by the same code: keystroke echo, connect to the
 * first prompt, bulk output. Every path authenticates with the testbed's ed25519 key, so the comparison
 * is not skewed by password/PAM cost. Paths alternate inside each run so that drift in the machine's load
 * (other work on this 2-core host) spreads over all of them.
 */

export interface SshOptions {
  runs: number;
  keystrokes: number;
  connects: number;
  bulkBytes: number;
}

const keyAuth = (tb: TestbedInfo): unknown => ({ type: 'privateKey', privateKey: readFileSync(tb.clientKeyPath, 'utf8') });

async function withTerm<T>(open: () => Promise<{ term: Term }>, use: (t: Term) => Promise<T>): Promise<T> {
  const { term } = await open();
  try {
    return await use(term);
  } finally {
    term.close();
  }
}

export async function sshEcho(r: Results, gw: Gateway, tb: TestbedInfo, vm: TestbedVm, o: SshOptions): Promise<void> {
  const p50: Record<string, number[]> = { bastion: [], 'ssh2-direct': [], 'openssh-direct': [] };
  const p99: Record<string, number[]> = { bastion: [], 'ssh2-direct': [], 'openssh-direct': [] };
  const keep = (path: string, samples: number[]): void => {
    p50[path]!.push(percentile(samples, 50));
    p99[path]!.push(percentile(samples, 99));
  };
  // The bastion was just started: one untimed session first, so that its JIT and lazy set-up (and the
  // garbage of start-up) are not charged to the first run.
  await withTerm(() => openBastion(gw, vm, tb, keyAuth(tb)), (t) => echoLatencies(t, Math.min(200, o.keystrokes)));
  for (let run = 0; run < o.runs; run++) {
    // A few untimed keystrokes first: the first ones of a session pay for lazy setup on every hop.
    keep('bastion', await withTerm(() => openBastion(gw, vm, tb, keyAuth(tb)), async (t) => (await echoLatencies(t, 10), echoLatencies(t, o.keystrokes, { gapMs: 5 }))));
    keep('ssh2-direct', await withTerm(() => openSsh2Direct(vm, tb), async (t) => (await echoLatencies(t, 10), echoLatencies(t, o.keystrokes, { gapMs: 5 }))));
    const os = await opensshEcho(vm, tb, o.keystrokes + 10);
    keep('openssh-direct', os.samples.slice(10));
  }
  for (const path of ['bastion', 'ssh2-direct', 'openssh-direct'] as const) {
    r.add('ssh-echo', 'echo p50', path, 'ms', p50[path]!);
    r.add('ssh-echo', 'echo p99', path, 'ms', p99[path]!);
  }
  const b50 = r.find('ssh-echo', 'echo p50', 'bastion')!.median, d50 = r.find('ssh-echo', 'echo p50', 'openssh-direct')!.median;
  const b99 = r.find('ssh-echo', 'echo p99', 'bastion')!.median, d99 = r.find('ssh-echo', 'echo p99', 'openssh-direct')!.median;
  r.target('SSH echo p50 ≤ direct ssh + 0.5 ms', `${fmt(b50)} ms vs ${fmt(d50)} ms (+${fmt(b50 - d50)} ms)`, b50 <= d50 + 0.5, b50, d50);
  r.target('SSH echo p99 ≤ direct ssh + 2 ms', `${fmt(b99)} ms vs ${fmt(d99)} ms (+${fmt(b99 - d99)} ms)`, b99 <= d99 + 2, b99, d99);
  // The OpenSSH baseline is measured by Python on a PTY, Bastion by this Node process: the ssh2-direct path
  // has the same measuring client, so Bastion − ssh2-direct isolates what the gateway adds to the tail.
  const s99 = r.find('ssh-echo', 'echo p99', 'ssh2-direct')!.median, s50 = r.find('ssh-echo', 'echo p50', 'ssh2-direct')!.median;
  r.note(`Echo, same measuring client (ssh2 straight to the VM, from this Node process): Bastion adds ${fmt(b50 - s50)} ms at p50 and ${fmt(b99 - s99)} ms at p99.`);
  r.raw.sshEcho = { keystrokesPerRun: o.keystrokes, p50, p99 };
}

export async function sshConnect(r: Results, gw: Gateway, tb: TestbedInfo, vm: TestbedVm, o: SshOptions): Promise<void> {
  const t = { bastion: [] as number[], 'ssh2-direct': [] as number[], 'openssh-direct': [] as number[] };
  const first = { bastion: [] as number[], 'ssh2-direct': [] as number[], 'openssh-direct': [] as number[] };
  const steps = { ticketMs: [] as number[], openMs: [] as number[], readyMs: [] as number[] };
  for (let i = 0; i < o.connects; i++) {
    const b = await openBastion(gw, vm, tb, keyAuth(tb));
    b.term.close();
    t.bastion.push(b.timings.promptMs);
    first.bastion.push(b.timings.firstByteMs);
    steps.ticketMs.push(b.timings.ticketMs);
    steps.openMs.push(b.timings.openMs);
    steps.readyMs.push(b.timings.readyMs);
    const d = await openSsh2Direct(vm, tb);
    d.term.close();
    t['ssh2-direct'].push(d.timings.promptMs);
    first['ssh2-direct'].push(d.timings.firstByteMs);
    const os = await opensshConnect(vm, tb);
    t['openssh-direct'].push(os.promptMs);
    first['openssh-direct'].push(os.firstByteMs);
  }
  for (const path of ['bastion', 'ssh2-direct', 'openssh-direct'] as const) {
    r.add('ssh-connect', 'connect → prompt', path, 'ms', t[path]);
    r.add('ssh-connect', 'connect → first byte', path, 'ms', first[path]);
  }
  r.add('ssh-connect', 'ticket issued (POST …/bastionSsh)', 'bastion', 'ms', steps.ticketMs);
  r.add('ssh-connect', 'WebSocket open', 'bastion', 'ms', steps.openMs);
  r.add('ssh-connect', 'ready (VM connected, PTY open)', 'bastion', 'ms', steps.readyMs);
  const b = r.find('ssh-connect', 'connect → prompt', 'bastion')!.median, d = r.find('ssh-connect', 'connect → prompt', 'openssh-direct')!.median;
  r.target('Connect to prompt ≤ 1.2 × direct ssh', `${fmt(b)} ms vs ${fmt(d)} ms (×${fmt(b / d)})`, b <= 1.2 * d, b, d);
  r.raw.sshConnect = { promptMs: t, firstByteMs: first, bastionSteps: steps };
}

export async function sshBulk(r: Results, gw: Gateway, tb: TestbedInfo, vm: TestbedVm, o: SshOptions): Promise<void> {
  const command = `head -c ${o.bulkBytes} /dev/urandom | base64`;
  const mbps = { bastion: [] as number[], 'ssh2-direct': [] as number[], 'openssh-direct': [] as number[] };
  const cpuPerMb: number[] = [];
  for (let run = 0; run < o.runs; run++) {
    await withTerm(() => openBastion(gw, vm, tb, keyAuth(tb)), async (term) => {
      const before = gw.sample();
      const out = await bulkOutput(term, command, 600_000);
      const cpu = gw.sample().cpuSeconds - before.cpuSeconds;
      mbps.bastion.push(out.bytes / 1e6 / out.seconds);
      cpuPerMb.push(cpu / (out.bytes / 1e6));
    });
    await withTerm(() => openSsh2Direct(vm, tb), async (term) => {
      const out = await bulkOutput(term, command, 600_000);
      mbps['ssh2-direct'].push(out.bytes / 1e6 / out.seconds);
    });
    const os = await opensshBulk(vm, tb, command);
    mbps['openssh-direct'].push(os.bytes / 1e6 / os.seconds);
  }
  for (const path of ['bastion', 'ssh2-direct', 'openssh-direct'] as const) r.add('ssh-bulk', 'bulk output', path, 'MB/s', mbps[path], 'higher');
  r.add('ssh-bulk', 'gateway CPU per MB', 'bastion', 'ms/MB', cpuPerMb.map((s) => s * 1000));
  const b = r.find('ssh-bulk', 'bulk output', 'bastion')!.median, d = r.find('ssh-bulk', 'bulk output', 'openssh-direct')!.median;
  r.target('Bulk output ≥ 0.8 × direct ssh -tt', `${fmt(b)} MB/s vs ${fmt(d)} MB/s (×${fmt(b / d)})`, b >= 0.8 * d, b, d);
  r.raw.sshBulk = { command, mbps, gatewayCpuSecondsPerMb: cpuPerMb };
}
