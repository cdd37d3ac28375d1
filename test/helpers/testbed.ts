import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Helpers for tests that use the testbed (scripts/testbed/testbed.sh, docs/testbed.md): a private VNet of
 * real machines in network namespaces. The test process runs on the host, which is the bastion (10.90.0.4).
 *
 * @example
 * const tb = readTestbed();
 * const vm = testbedVm(tb, 'vm-ssh');          // { ip: '10.90.1.4', namespace: 'bst-vm-ssh', ... }
 * await execInVm('vm-ssh', 'hostname');        // { code: 0, stdout: 'vm-ssh\n', stderr: '' }
 * await probeTcp('bst-vm-ssh2', vm.ip, 22);    // { open: false, outcome: 'timeout' } (the VM's NSG drops it)
 */

export type TestbedService = 'ssh' | 'rdp';

export interface TestbedVm {
  name: string; // vm-ssh
  namespace: string; // bst-vm-ssh
  ip: string; // 10.90.1.4
  osType: 'linux' | 'windows';
  nic: string; // vm-ssh-nic
  services: TestbedService[];
  /** The VM's state dir: logs, pid files (init.pid is the VM's anchor process), sshd host key. */
  stateDir: string;
  /** "ssh-ed25519 AAAA…" (type and base64 blob): what an SSH client must see from this VM. */
  sshHostPublicKey: string;
  /** RDP server details, or null for VMs without RDP. */
  rdp: null | {
    port: number;
    /** tls = xrdp (TLS only, login dialog); nla = freerdp-shadow with CredSSP/NLA (the "Windows" VM). */
    security: 'tls' | 'nla';
    /** Solid desktop background, e.g. "#2e5e8e", for pixel checks. */
    desktopColor: string;
    /** Text the xterm on the desktop prints first: "<bannerText> on <vm name>". */
    bannerText: string;
  };
}

export interface TestbedInfo {
  stateDir: string;
  inventoryPath: string; // Bastion config fragment (top-level `inventory:`)
  bastionAddress: string; // 10.90.0.4: the host's address on the VNet
  bridge: string;
  vnetCidr: string;
  subscriptionId: string;
  resourceGroup: string;
  virtualNetwork: string;
  bastionHost: string;
  user: string; // vmuser on every VM
  password: string;
  clientKeyPath: string; // ed25519 private key accepted by every VM for `user`
  vms: TestbedVm[];
  /** Machines in the VNet that inventory.yaml leaves out (IP-based connection targets, design 0007). */
  unregistered?: Array<{ name: string; namespace: string; ip: string; stateDir: string }>;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..');
export const TESTBED_SCRIPT = join(REPO_ROOT, 'scripts', 'testbed', 'testbed.sh');

/** The state dir testbed.sh uses (same rule: $BASTION_TESTBED_DIR or /tmp/bastion-testbed). */
export function testbedDir(): string {
  return process.env.BASTION_TESTBED_DIR ?? '/tmp/bastion-testbed';
}

/** Reads <state dir>/testbed.json, written by `testbed.sh up`. Throws with a hint when it is missing. */
export function readTestbed(dir = testbedDir()): TestbedInfo {
  const file = join(dir, 'testbed.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TestbedInfo;
  } catch (err) {
    throw new Error(`Cannot read ${file} (${(err as Error).message}). Is the testbed up? Run: npm run testbed -- up`);
  }
}

/** The ARM path of a testbed resource, e.g. `testbedPath(tb, 'Microsoft.Compute/virtualMachines', 'vm-ssh')`. */
export const testbedPath = (info: TestbedInfo, type: string, name: string): string => `/subscriptions/${info.subscriptionId}/resourceGroups/${info.resourceGroup}/providers/${type}/${name}`;

export function testbedVm(info: TestbedInfo, name: string): TestbedVm {
  const vm = info.vms.find((v) => v.name === name);
  if (!vm) throw new Error(`No VM "${name}" in the testbed (have: ${info.vms.map((v) => v.name).join(', ')})`);
  return vm;
}

/** Runs a program without a shell; resolves with its exit code and output (never rejects on exit != 0). */
export function run(file: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 60_000, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          // spawn failure or timeout (code is then a string or null)
          if (err.killed) return resolvePromise({ code: 124, stdout, stderr: `${stderr}\n[timed out after ${options.timeoutMs ?? 60_000} ms]` });
          return reject(err);
        }
        resolvePromise({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs `testbed.sh up|down|status` (as this process's user: it needs root). */
export function runTestbed(command: 'up' | 'down' | 'status', options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  return run('bash', [TESTBED_SCRIPT, command], { timeoutMs: options.timeoutMs ?? 600_000, env: options.env });
}

/**
 * Runs a shell command inside a VM, as root: in the VM's network namespace and also in its UTS and mount
 * namespaces (entered through the VM's anchor process), so `hostname` prints the VM's name and /tmp is the
 * VM's private /tmp, exactly as an SSH session on the VM sees them. (`ip netns exec` alone would give the
 * network only.)
 */
export async function execInVm(vm: string | TestbedVm, command: string, options: { timeoutMs?: number } = {}): Promise<CommandResult> {
  const info = typeof vm === 'string' ? testbedVm(readTestbed(), vm) : vm;
  let pid: string;
  try {
    pid = readFileSync(join(info.stateDir, 'init.pid'), 'utf8').trim();
  } catch {
    throw new Error(`VM ${info.name} is not running (no ${info.stateDir}/init.pid). Run: npm run testbed -- up`);
  }
  return run('nsenter', ['--target', pid, '--net', '--uts', '--mount', '--', 'sh', '-c', command], { timeoutMs: options.timeoutMs ?? 30_000 });
}

export interface ProbeResult {
  open: boolean;
  /** connected; refused (RST); timeout (no answer: dropped); unreachable (no route); error (anything else) */
  outcome: 'connected' | 'refused' | 'timeout' | 'unreachable' | 'error';
  detail: string;
}

/**
 * Tries a TCP connection to ip:port from the host ('host', i.e. the bastion) or from inside a network
 * namespace (e.g. 'bst-vm-ssh2'). A dropped SYN shows as outcome 'timeout' after timeoutMs.
 */
export async function probeTcp(from: 'host' | string, ip: string, port: number, timeoutMs = 1500): Promise<ProbeResult> {
  if (from === 'host') return probeFromHost(ip, port, timeoutMs);
  const seconds = (timeoutMs / 1000).toFixed(1);
  const r = await run('ip', ['netns', 'exec', from, 'timeout', seconds, 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', ip, String(port)], {
    timeoutMs: timeoutMs + 5000,
  });
  const detail = r.stderr.trim();
  if (r.code === 0) return { open: true, outcome: 'connected', detail: '' };
  if (r.code === 124) return { open: false, outcome: 'timeout', detail: `no answer within ${timeoutMs} ms` };
  return { open: false, outcome: classify(detail), detail };
}

function probeFromHost(ip: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: ip, port });
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(result);
    };
    const timer = setTimeout(() => done({ open: false, outcome: 'timeout', detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.once('connect', () => done({ open: true, outcome: 'connected', detail: '' }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ open: false, outcome: classify(err.code ?? err.message), detail: err.message }));
  });
}

function classify(text: string): ProbeResult['outcome'] {
  if (/refused/i.test(text)) return 'refused';
  if (/unreachable|no route|EHOSTUNREACH|ENETUNREACH/i.test(text)) return 'unreachable';
  if (/timed out|ETIMEDOUT/i.test(text)) return 'timeout';
  return 'error';
}

/** RDP security protocols (MS-RDPBCGR 2.2.1.1.1): bit flags in requestedProtocols / selectedProtocol. */
export const RDP_PROTOCOL = { RDP: 0, SSL: 1, HYBRID: 2 } as const;

export type X224Answer =
  | { kind: 'response'; selectedProtocol: number } // RDP_NEG_RSP
  | { kind: 'failure'; failureCode: number } // RDP_NEG_FAILURE, e.g. 5 = HYBRID_REQUIRED_BY_SERVER
  | { kind: 'plain' }; // Connection Confirm without negotiation data

/**
 * Sends an X.224 Connection Request (TPKT, with RDP_NEG_REQ for `requestedProtocols`) from the host and
 * parses the server's Connection Confirm. Rejects on timeout, a closed connection or a malformed answer.
 */
export function x224Probe(ip: string, port = 3389, requestedProtocols = RDP_PROTOCOL.SSL | RDP_PROTOCOL.HYBRID, timeoutMs = 5000): Promise<X224Answer> {
  const request = Buffer.from([0x03, 0, 0, 19, 14, 0xe0, 0, 0, 0, 0, 0, 0x01, 0, 8, 0, 0, 0, 0, 0]);
  request.writeUInt32LE(requestedProtocols, 15);
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host: ip, port });
    let buffer = Buffer.alloc(0);
    const fail = (message: string) => {
      socket.destroy();
      reject(new Error(`X.224 probe of ${ip}:${port}: ${message}`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no Connection Confirm within ${timeoutMs} ms`));
    socket.once('connect', () => socket.write(request));
    socket.on('error', (err) => fail(err.message));
    socket.on('close', () => fail(`connection closed after ${buffer.length} bytes`));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < 4) return;
      if (buffer[0] !== 0x03) return fail(`not a TPKT header: ${buffer.subarray(0, 4).toString('hex')}`);
      const length = buffer.readUInt16BE(2);
      if (length > 512) return fail(`TPKT length ${length} is too large for a Connection Confirm`);
      if (buffer.length < length) return;
      socket.removeAllListeners('close');
      socket.destroy();
      const pdu = buffer.subarray(0, length);
      if (((pdu[5] ?? 0) & 0xf0) !== 0xd0) return reject(new Error(`X.224 probe of ${ip}:${port}: not a Connection Confirm: ${pdu.toString('hex')}`));
      if (pdu.length < 19) return resolvePromise({ kind: 'plain' });
      const type = pdu[11];
      const value = pdu.readUInt32LE(15);
      if (type === 0x02) return resolvePromise({ kind: 'response', selectedProtocol: value });
      if (type === 0x03) return resolvePromise({ kind: 'failure', failureCode: value });
      return reject(new Error(`X.224 probe of ${ip}:${port}: unknown negotiation type ${String(type)}: ${pdu.toString('hex')}`));
    });
  });
}
