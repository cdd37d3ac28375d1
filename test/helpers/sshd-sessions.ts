import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestbedInfo } from './testbed.js';

/** Children of `ppid` (ps exits 1 when there are none). */
function children(ppid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(ppid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

/**
 * The per-connection sshd processes of a testbed VM: each child of its listener (the pid file in the VM's
 * state dir) — OpenSSH's privileged monitor, "sshd: user [priv]" — with its children ("sshd: user@pts/N",
 * which holds the network socket). The namespaces are not PID namespaces, so these are host PIDs.
 */
export function sshdSessions(tb: TestbedInfo, vmName: string): Map<number, number[]> {
  const vm = tb.vms.find((v) => v.name === vmName);
  if (!vm) throw new Error(`no testbed VM ${vmName}`);
  const listener = Number(readFileSync(join(vm.stateDir, 'sshd.pid'), 'utf8').trim());
  return new Map(children(listener).map((priv) => [priv, children(priv)]));
}

const ss = (args: string[], inNamespaceOf?: string): string =>
  inNamespaceOf
    ? execFileSync('nsenter', ['--target', inNamespaceOf, '--net', '--', 'ss', ...args], { encoding: 'utf8' })
    : execFileSync('ss', args, { encoding: 'utf8' });

/**
 * The sshd processes serving the SSH connection that process `clientPid` (the bastion) holds to the VM —
 * found by the connection itself, not by timing, since other tests open sessions to the same VM: the
 * client's local port (host side, `ss -tnp`), then in the VM's namespace the sshd processes whose socket
 * has that peer port, each with its parent when that is a per-connection monitor (child of the listener).
 * Started after `before` was taken. Throws unless the client holds exactly one connection to the VM.
 */
export function sshdServing(tb: TestbedInfo, vmName: string, clientPid: number, before: Map<number, number[]>): number[] {
  const vm = tb.vms.find((v) => v.name === vmName);
  if (!vm) throw new Error(`no testbed VM ${vmName}`);
  const host = ss(['-tnpH', 'state', 'established', 'dst', vm.ip, 'dport', '=', ':22']).split('\n').filter((l) => l.includes(`pid=${clientPid},`));
  const ports = host.map((l) => /\S+:(\d+)\s+\S+:22\s/.exec(l)?.[1]).filter((p): p is string => p !== undefined);
  if (ports.length !== 1) throw new Error(`expected one SSH connection from pid ${clientPid} to ${vm.ip}:22, found: ${host.join(' | ') || 'none'}`);
  const init = readFileSync(join(vm.stateDir, 'init.pid'), 'utf8').trim();
  const inVm = ss(['-tnpH', 'state', 'established', 'sport', '=', ':22', 'dport', '=', `:${ports[0]}`], init);
  const holders = [...new Set([...inVm.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))];
  const sessions = sshdSessions(tb, vmName);
  const pids = new Set<number>();
  for (const pid of holders) {
    pids.add(pid);
    for (const [priv, kids] of sessions) if (kids.includes(pid) || priv === pid) pids.add(priv);
  }
  const result = [...pids];
  if (result.length === 0 || result.some((pid) => [...before].some(([priv, kids]) => priv === pid || kids.includes(pid)))) {
    throw new Error(`the sshd serving port ${ports[0]} is not a new session: ${JSON.stringify(result)} (ss: ${inVm.trim()})`);
  }
  return result;
}
