import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Io } from './io.js';
import { runClient, withTunnel } from './native-ssh.js';

/** An .rdp file for mstsc (and other clients that read them) pointing at the local tunnel. */
export function rdpFile(port: number, username: string | undefined): string {
  return [`full address:s:127.0.0.1:${port}`, 'prompt for credentials:i:1', 'authentication level:i:2', ...(username ? [`username:s:${username}`] : []), 'screen mode id:i:1', ''].join('\r\n');
}

/**
 * `bastion rdp <vm>`: writes an .rdp file for the tunnel and launches the platform's client — mstsc on
 * Windows, `open` (Microsoft Remote Desktop) on macOS, xfreerdp elsewhere (`$BASTION_RDP_CLIENT` overrides);
 * arguments after -- go to that client. The tunnel closes when the client exits.
 */
export function registerRdpCommand(program: Command, io: Io): void {
  program
    .command('rdp')
    .description('RDP to a VM with the platform client (mstsc, xfreerdp) through the bastion; arguments after -- go to the client')
    .argument('[vm]', 'the VM: its name or resource ID (or use --target-ip)')
    .argument('[client-args...]', 'after --: extra client arguments')
    .option('--target-ip <ip>', 'a private IP that is no registered VM (IP-based connection)')
    .option('--bastion <name>', 'with --target-ip: the bastion when you can see several')
    .option('-g, --resource-group <rg>', 'resource group when the name is ambiguous')
    .option('--resource-port <port>', 'RDP port on the VM', '3389')
    .option('--username <name>', 'account on the VM')
    .action(async (first: string | undefined, rest: string[], opts: { targetIp?: string; bastion?: string; resourceGroup?: string; resourcePort: string; username?: string }) => {
      // With --target-ip there is no VM argument: what commander put there is the first client argument.
      const vm = opts.targetIp === undefined ? first : undefined;
      const extra = opts.targetIp === undefined || first === undefined ? rest : [first, ...rest];
      const dir = mkdtempSync(join(tmpdir(), 'bastion-rdp-'));
      try {
        await withTunnel(io, { ...(vm !== undefined ? { target: vm } : {}), ...opts }, (listener) => {
          const file = join(dir, 'connection.rdp');
          writeFileSync(file, rdpFile(listener.port, opts.username), { mode: 0o600 });
          io.stderr(`bastion: ${file} → 127.0.0.1:${listener.port}\n`);
          const custom = io.env.BASTION_RDP_CLIENT;
          if (!custom && process.platform === 'win32') return runClient('mstsc', [file, ...extra], io.env);
          if (!custom && process.platform === 'darwin') return runClient('open', ['-W', file, ...extra], io.env);
          return runClient(custom || 'xfreerdp', [`/v:127.0.0.1:${listener.port}`, ...(opts.username ? [`/u:${opts.username}`] : []), ...extra], io.env);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
}
