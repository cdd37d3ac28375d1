import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { readTestbed, run, testbedVm } from '../test/helpers/testbed.js';
import { REPO, startGateway } from './lib/gateway.js';
import { Results } from './lib/results.js';
import { writeReport } from './report/markdown.js';
import { browserEndToEnd } from './scenarios/browser.js';
import { concurrency } from './scenarios/concurrency.js';
import { rdpRelay } from './scenarios/rdp.js';
import { lastCipher } from './lib/terminals.js';
import { describeSsh2Crypto, ssh2Crypto } from './lib/ssh2-crypto.js';
import { sshBulk, sshConnect, sshEcho } from './scenarios/ssh.js';
import { sshTyping } from './scenarios/ssh-typing.js';
import { storageWrites } from './scenarios/storage.js';

/**
 * `npm run bench [-- --quick] [--only ssh-echo,rdp] [--profile] [--ssh-counts 1000] [--rdp-counts 200]`
 * (root; docs/benchmarks.md; --profile runs the bastion under --cpu-prof into <results>/cpu-profiles).
 * Runs the scenarios of issue 7 against the testbed, each path side by side with the direct one, and
 * writes bench/results/<date>/{results.json,report.md,chart.svg} (--quick: test-results/bench-quick/); a full run also refreshes
 * docs/benchmarks.md. --quick is the smoke mode `npm test` runs: tiny sizes, no timing assertions.
 */

const SCENARIOS = ['ssh-echo', 'ssh-typing', 'ssh-connect', 'ssh-bulk', 'ssh-concurrency', 'rdp', 'browser', 'storage'] as const;
type Scenario = (typeof SCENARIOS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--profile');
const onlyArg = args[args.indexOf('--only') + 1];
const only = new Set<Scenario>(args.includes('--only') && onlyArg ? (onlyArg.split(',') as Scenario[]) : SCENARIOS);
// --ssh-counts 100,1000 / --rdp-counts 50: other concurrency levels (for a focused or profiled look).
const listArg = (flag: string): number[] | undefined => (args.includes(flag) ? (args[args.indexOf(flag) + 1] ?? '').split(',').map(Number).filter((n) => n > 0) : undefined);
for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s} (have: ${SCENARIOS.join(', ')})`);

const settings = quick
  ? { runs: 1, keystrokes: 20, typingKeystrokes: 20, connects: 2, bulkBytes: 1_000_000, counts: [1, 5], holdSeconds: 3, rdpConnects: 2, rdpCounts: [5], rdpHoldSeconds: 3, browser: true }
  : { runs: 3, keystrokes: 500, typingKeystrokes: 300, connects: 10, bulkBytes: 50_000_000, counts: [1, 100, 1000], holdSeconds: 30, rdpConnects: 10, rdpCounts: [1, 50, 200], rdpHoldSeconds: 15, browser: true };
settings.counts = listArg('--ssh-counts') ?? settings.counts;
settings.rdpCounts = listArg('--rdp-counts') ?? settings.rdpCounts;

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.error('bench: run as root (the testbed uses network namespaces): sudo npm run bench');
    return 1;
  }
  const started = new Date();
  const script = join(REPO, 'scripts/testbed/testbed.sh');
  // Leave the testbed as found: bring it up when it is not (up also repairs a partial one, without
  // disturbing its users), and take it down at the end only if there was no testbed at all (no bridge).
  const existed = existsSync('/sys/class/net/bstbr0');
  if ((await run('bash', [script, 'status'], { timeoutMs: 60_000 })).code !== 0) {
    console.log('bench: bringing the testbed up');
    const up = await run('bash', [script, 'up'], { timeoutMs: 900_000 });
    if (up.code !== 0) throw new Error(`testbed up failed:\n${up.stdout}\n${up.stderr}`);
  }
  const r = new Results();
  const stamp = started.toISOString().replace(/:/g, '-').replace(/\..*/, '');
  // Smoke runs (npm test) go with the other test artifacts; CPU profiles (large) to the ignored tmp folder.
  const outDir = join(REPO, quick ? 'test-results/bench-quick' : 'bench/results', stamp);
  const cpuProfDir = profile ? join(REPO, 'bench/results/tmp', stamp, 'cpu-profiles') : undefined;
  try {
    const tb = readTestbed();
    const vm = testbedVm(tb, 'vm-ssh');
    const step = async (name: Scenario, body: () => Promise<void>): Promise<void> => {
      if (!only.has(name)) return;
      const t0 = Date.now();
      console.log(`bench: ${name}…`);
      await body().catch((err: unknown) => r.error(name, err));
      console.log(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    };
    const ssh = { runs: settings.runs, keystrokes: settings.keystrokes, connects: settings.connects, bulkBytes: settings.bulkBytes };
    if (only.has('ssh-echo') || only.has('ssh-typing') || only.has('ssh-connect') || only.has('ssh-bulk')) {
      const gw = await startGateway(tb, cpuProfDir ? { cpuProfDir } : {});
      try {
        await step('ssh-echo', () => sshEcho(r, gw, tb, vm, ssh));
        await step('ssh-typing', () => sshTyping(r, gw, tb, vm, { runs: ssh.runs, keystrokes: settings.typingKeystrokes }));
        await step('ssh-connect', () => sshConnect(r, gw, tb, vm, ssh));
        await step('ssh-bulk', () => sshBulk(r, gw, tb, vm, ssh));
      } finally {
        await gw.stop();
      }
    }
    await step('ssh-concurrency', () => concurrency(r, tb, { counts: settings.counts, runs: settings.runs, holdSeconds: settings.holdSeconds, connectPool: 16, cpuProfDir, withoutRecording: listArg('--no-recording-counts') ?? (quick ? [] : [1000]) }));
    await step('rdp', () => rdpRelay(r, tb, { connects: settings.rdpConnects, counts: settings.rdpCounts, runs: settings.runs, holdSeconds: settings.rdpHoldSeconds, busySeconds: quick ? 0 : 10 }));
    await step('browser', () => browserEndToEnd(r, tb, { quick }));
    await step('storage', () => storageWrites(r, { runs: settings.runs, writes: quick ? 50 : 1000 }));
  } finally {
    if (!existed) await run('bash', [script, 'down'], { timeoutMs: 300_000 });
  }
  // The smoke run checks that the harness works end to end: a failed session there is a failure too (a
  // full run reports errors as a figure, judged against the target of 0).
  if (quick) for (const row of r.rows) if (row.metric.endsWith(' errors') && row.value.max > 0) r.error(row.scenario, `${row.metric}: ${row.value.max}`);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  // What this install's ssh2 runs on (native binding or JavaScript), stated at the top of the report.
  const crypto = { ...ssh2Crypto(), cipher: lastCipher };
  console.log(`bench: ${describeSsh2Crypto(crypto).replace(/\*\*/g, '')}`);
  const meta = { started: started.toISOString(), durationSeconds: Math.round((Date.now() - started.getTime()) / 1000), quick, machine, ssh2Crypto: crypto, settings, scenarios: [...only] };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), JSON.stringify({ meta, rows: r.rows, targets: r.targets, notes: r.notes, errors: r.errors, raw: r.raw }, null, 2));
  // Only a full run of every scenario is the figure of record in docs/benchmarks.md.
  writeReport(outDir, meta, r, { docs: !quick && only.size === SCENARIOS.length });
  console.log(`bench: wrote ${outDir}/{results.json,report.md,chart.svg} in ${meta.durationSeconds} s`);
  for (const e of r.errors) console.error(`bench: FAILED ${e}`);
  return r.errors.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('bench:', err);
    process.exit(1);
  },
);
