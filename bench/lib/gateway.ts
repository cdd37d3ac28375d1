import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/bastion-process.js';
import { BastionClient, type BrowserSession } from '../../test/helpers/ssh-ws-client.js';
import type { TestbedInfo } from '../../test/helpers/testbed.js';

/**
 * The gateway under test: the built bastion (`bin/bastion.mjs start`) as its own child process, so its
 * CPU and memory are read from /proc apart from the load generator (this process). Its open-file limit
 * is raised (1000 sessions hold ~3000 descriptors), and it can run under `--cpu-prof`.
 */

/** The repository root: the folder above this file that holds bin/bastion.mjs (works from dist/bench too). */
export const REPO = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bin', 'bastion.mjs'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the repository root (bin/bastion.mjs)');
    dir = up;
  }
  return dir;
})();

export const BENCH_USER = { username: 'bench', password: 'Bench-Pass-123456' };
const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on every supported kernel

export interface ProcSample {
  /** user + system CPU seconds since the process started */
  cpuSeconds: number;
  rssBytes: number;
}

/** CPU seconds and resident memory of a process, from /proc. */
export function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) — utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds, rssBytes: Number(rss?.[1] ?? NaN) * 1024 };
}

export interface Gateway {
  url: string;
  pid: number;
  client: BastionClient;
  session: BrowserSession;
  sample(): ProcSample;
  vmPath(vm: string): string;
  stop(): Promise<void>;
}

/** Starts a bastion that knows the testbed's VMs and a user `bench` with Reader on the subscription. */
export async function startGateway(tb: TestbedInfo, opts: { cpuProfDir?: string; /** false: session recording off (default: on, as shipped) */ recordings?: boolean } = {}): Promise<Gateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastion-bench-'));
  const port = await freePort();
  const config = join(dataDir, 'bastion.yaml');
  writeFileSync(
    config,
    [
      `dataDir: ${dataDir}`,
      // maxConnectionsPerAddress 0: every benchmark session comes from 127.0.0.1 (up to 1,000 at once).
      `server: { host: 127.0.0.1, port: ${port}, maxConnectionsPerAddress: 0 }`,
      'log: { level: warn }',
      ...(opts.recordings === false ? ['recordings: { ssh: { enabled: false }, rdp: { enabled: false } }'] : []),
      `users: [{ username: ${BENCH_USER.username}, password: ${BENCH_USER.password} }]`,
      `roleAssignments: [{ assignee: ${BENCH_USER.username}, role: Reader, scope: /subscriptions/${tb.subscriptionId} }]`,
      readFileSync(tb.inventoryPath, 'utf8'),
    ].join('\n'),
  );
  const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  // `ulimit -n` then exec: the bastion itself (not a wrapper) is the child whose /proc we read.
  const child: ChildProcess = spawn('bash', ['-c', 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"', 'bench-gateway', process.execPath, ...nodeArgs, join(REPO, 'bin/bastion.mjs'), 'start', '--config', config], {
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 30_000;
  while (!/Press Ctrl-C to stop/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bench: the bastion did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = `https://127.0.0.1:${port}`;
  const client = new BastionClient(url);
  const session = await client.signIn(BENCH_USER.username, BENCH_USER.password);
  const pid = child.pid!;
  return {
    url,
    pid,
    client,
    session,
    sample: () => sampleProc(pid),
    vmPath: (vm) => `/subscriptions/${tb.subscriptionId}/resourceGroups/${tb.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${vm}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      if (process.env.BENCH_KEEP_DATA !== '1') rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const resolveRepo = (...parts: string[]): string => resolve(REPO, ...parts);
