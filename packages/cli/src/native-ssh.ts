import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import type { Io } from './io.js';
import { needCredentials } from './remote/credentials.js';
import { startTunnelListener, type TunnelListener } from './remote/tunnel-client.js';
import { destinationOf, type TargetOptions } from './tunnel.js';

/** Ends `run()` with a child's exit code (an ssh session's status is the command's status). */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'ExitCode';
  }
}

/** Runs a native client to completion; resolves with its exit code (signals: 128 + n, as shells do). */
export function runClient(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.once('error', (err) => reject(new Error(`Cannot run ${command}: ${err.message}`)));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + (({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9 }) as Record<string, number>)[signal]! : 1)));
  });
}

/** Starts a tunnel on a free local port, runs `client` against it, closes the tunnel when it exits. */
export async function withTunnel(io: Io, opts: TargetOptions, client: (listener: TunnelListener, name: string) => Promise<number>): Promise<void> {
  const c = needCredentials(io.env);
  const dest = await destinationOf(c, opts);
  const listener = await startTunnelListener(c, dest, 0, (line) => io.stderr(`bastion: ${line}\n`));
  let code: number;
  try {
    code = await client(listener, 'vm' in dest ? dest.vm.toLowerCase() : `ip-${dest.ip}`);
  } finally {
    await listener.close();
  }
  if (code !== 0) throw new ExitCode(code);
}

interface SshOptions {
  targetIp?: string;
  bastion?: string;
  resourceGroup?: string;
  resourcePort: string;
  authType?: 'password' | 'ssh-key';
  sshKey?: string;
  username?: string;
}

/**
 * `bastion ssh <vm>`: the system's OpenSSH through a tunnel on 127.0.0.1 (as `az network bastion ssh`).
 * HostKeyAlias keeps the VM's host key in known_hosts under the VM's own name rather than under
 * 127.0.0.1:<random port>, so OpenSSH's host-key checking works across runs.
 */
export function registerSshCommand(program: Command, io: Io): void {
  program
    .command('ssh')
    .description('SSH to a VM with the system OpenSSH client through the bastion; arguments after -- go to ssh (options, then a remote command)')
    .argument('[vm]', 'the VM: its name or resource ID (or use --target-ip)')
    .argument('[ssh-args...]', 'after --: extra ssh arguments')
    .option('--target-ip <ip>', 'a private IP that is no registered VM (IP-based connection)')
    .option('--bastion <name>', 'with --target-ip: the bastion when you can see several')
    .option('-g, --resource-group <rg>', 'resource group when the name is ambiguous')
    .option('--resource-port <port>', 'SSH port on the VM', '22')
    .option('--auth-type <type>', 'password | ssh-key (default: whatever ssh tries)')
    .option('--ssh-key <path>', 'private key file (with --auth-type ssh-key)')
    .option('--username <name>', 'account on the VM')
    .action(async (first: string | undefined, rest: string[], opts: SshOptions) => {
      // With --target-ip there is no VM argument: what commander put there is the first ssh argument.
      const vm = opts.targetIp === undefined ? first : undefined;
      const extra = opts.targetIp === undefined || first === undefined ? rest : [first, ...rest];
      if (opts.authType && !['password', 'ssh-key'].includes(opts.authType)) throw new Error('--auth-type must be password or ssh-key.');
      if (opts.authType === 'ssh-key' && !opts.sshKey) throw new Error('--auth-type ssh-key needs --ssh-key <path>.');
      const auth =
        opts.authType === 'password'
          ? ['-o', 'PreferredAuthentications=password,keyboard-interactive', '-o', 'PubkeyAuthentication=no']
          : opts.sshKey
            ? ['-i', opts.sshKey, '-o', 'IdentitiesOnly=yes', ...(opts.authType === 'ssh-key' ? ['-o', 'PreferredAuthentications=publickey'] : [])]
            : [];
      const target = { ...(vm !== undefined ? { target: vm } : {}), ...opts };
      await withTunnel(io, target, (listener, alias) => {
        const args = ['-p', String(listener.port), '-o', `HostKeyAlias=${alias}`, ...auth, ...(opts.username ? ['-l', opts.username] : []), '127.0.0.1', ...extra];
        return runClient(io.env.BASTION_SSH_CLIENT || 'ssh', args, io.env);
      });
    });
}
