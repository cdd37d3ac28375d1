import type { Command } from 'commander';
import type { Io } from './io.js';
import { openWebSocket } from './remote/api.js';
import { needCredentials, type Credentials } from './remote/credentials.js';
import { resolveBastion, resolveVm, tunnelPath, type TunnelDestination } from './remote/target.js';
import { pipeOverWebSocket, startTunnelListener } from './remote/tunnel-client.js';
import { randomUUID } from 'node:crypto';

export interface TargetOptions {
  target?: string;
  targetIp?: string;
  bastion?: string;
  resourceGroup?: string;
  resourcePort: string;
}

export function parsePort(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number (0–65535), got ${value}.`);
  return n;
}

/** --target (VM name or ID) or --target-ip (through --bastion, or the only bastion visible). */
export async function destinationOf(c: Credentials, o: TargetOptions): Promise<TunnelDestination> {
  const port = parsePort(o.resourcePort, '--resource-port');
  if (port === 0) throw new Error('--resource-port must not be 0.');
  if ((o.target === undefined) === (o.targetIp === undefined)) throw new Error('Give exactly one of --target <VM name or resource ID> and --target-ip <private IP>.');
  if (o.target !== undefined) return { vm: await resolveVm(c, o.target, o.resourceGroup), port };
  return { bastion: await resolveBastion(c, o.bastion, o.resourceGroup), ip: o.targetIp!, port };
}

const targetOptions = (cmd: Command): Command =>
  cmd
    .option('--target <vm>', 'the VM: its name or resource ID')
    .option('--target-ip <ip>', 'a private IP that is no registered VM (the bastion must allow IP-based connection)')
    .option('--bastion <name>', 'with --target-ip: the bastion (name or resource ID) when you can see several')
    .option('-g, --resource-group <rg>', 'resource group of --target / --bastion when the name is ambiguous');

/** Runs until `signal` aborts (Ctrl-C in the command); exported for tests. */
export async function runTunnel(io: Io, c: Credentials, dest: TunnelDestination, localPort: number, signal: AbortSignal): Promise<void> {
  const listener = await startTunnelListener(c, dest, localPort, (line) => io.stderr(`${line}\n`));
  const what = 'vm' in dest ? dest.vm.split('/').pop() : dest.ip;
  io.stderr(`Tunnel ${listener.tunnelId}: 127.0.0.1:${listener.port} → ${what}:${dest.port} through ${new URL(c.url).host}. Press Ctrl-C to stop.\n`);
  io.stdout(`${JSON.stringify({ localPort: listener.port, tunnelId: listener.tunnelId })}\n`);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await listener.close();
}

/** Aborts on Ctrl-C or SIGTERM (and forgets the handlers afterwards). */
export function untilInterrupted(): AbortSignal {
  const ac = new AbortController();
  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    ac.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return ac.signal;
}

export function registerTunnelCommands(program: Command, io: Io): void {
  targetOptions(
    program
      .command('tunnel')
      .description('Open a local TCP port (127.0.0.1 only) that reaches a VM port through the bastion, for native clients (ssh, scp, mstsc, xfreerdp)'),
  )
    .requiredOption('--resource-port <port>', 'port on the VM (22, 3389, …)')
    .requiredOption('--port <local>', 'local port to listen on (0: any free port)')
    .action(async (opts: TargetOptions & { port: string }) => {
      const c = needCredentials(io.env);
      await runTunnel(io, c, await destinationOf(c, opts), parsePort(opts.port, '--port'), untilInterrupted());
    });

  targetOptions(
    program
      .command('tunnel-stdio')
      .description("Carry standard input/output to a VM port through the bastion (for ssh -o ProxyCommand='bastion tunnel-stdio --target vm --resource-port 22')"),
  )
    .requiredOption('--resource-port <port>', 'port on the VM')
    .action(async (opts: TargetOptions) => {
      const c = needCredentials(io.env);
      const ws = await openWebSocket(c, tunnelPath(await destinationOf(c, opts), randomUUID()));
      const end = await pipeOverWebSocket({ readable: process.stdin, writable: process.stdout }, ws);
      if (end.code !== 1000) throw new Error(`tunnel ended: ${end.reason} (${end.code})`);
    });
}
