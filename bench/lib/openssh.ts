import { join } from 'node:path';
import { run, type TestbedInfo, type TestbedVm } from '../../test/helpers/testbed.js';
import { REPO } from './gateway.js';

/**
 * OpenSSH `ssh -tt` straight to the VM, driven on a PTY by openssh_pty.py (timed there, on this side of
 * the PTY). The testbed's NSG admits port 22 from 10.90.0.4, the root namespace, so this is the direct path.
 */

const SCRIPT = join(REPO, 'bench/lib/openssh_pty.py');

async function drive<T>(args: string[], timeoutMs: number): Promise<T> {
  const r = await run('python3', [SCRIPT, ...args], { timeoutMs });
  if (r.code !== 0) throw new Error(`openssh_pty.py ${args[0]}: exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return JSON.parse(r.stdout) as T;
}

const target = (vm: TestbedVm, tb: TestbedInfo): string[] => [vm.ip, tb.user, tb.clientKeyPath];

export interface OpensshConnect {
  firstByteMs: number;
  promptMs: number;
}

export const opensshConnect = (vm: TestbedVm, tb: TestbedInfo): Promise<OpensshConnect> => drive(['connect', ...target(vm, tb)], 60_000);

export const opensshEcho = (vm: TestbedVm, tb: TestbedInfo, count: number): Promise<{ connect: OpensshConnect; samples: number[] }> =>
  drive(['echo', ...target(vm, tb), String(count)], 120_000 + count * 100);

export const opensshBulk = (vm: TestbedVm, tb: TestbedInfo, command: string): Promise<{ connect: OpensshConnect; bytes: number; seconds: number }> =>
  drive(['bulk', ...target(vm, tb), command], 660_000);
