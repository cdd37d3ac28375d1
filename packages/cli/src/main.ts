import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { registerBackupCommand } from './backup.js';
import { registerBastionHostCommands } from './bastion-host.js';
import { registerIdentityCommands } from './identity.js';
import { registerKeyVaultCommands } from './keyvault.js';
import { registerLoginCommands } from './login.js';
import { registerRdpCommand } from './native-rdp.js';
import { ExitCode, registerSshCommand } from './native-ssh.js';
import { registerTunnelCommands } from './tunnel.js';
import { processIo, type Io } from './io.js';
import { registerNicCommands } from './nic.js';
import { OUTPUT_FORMATS } from './output.js';
import { registerResourceGroupCommands } from './resource-group.js';
import { registerRoleCommands } from './role.js';
import { registerStartCommand } from './start.js';
import { registerVmCommands } from './vm.js';
import { registerVnetCommands } from './vnet.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Every runnable command with its description, for the root help ("bastion vnet subnet create  …"). */
function allCommands(cmd: Command, prefix: string): Array<[string, string]> {
  return cmd.commands.flatMap((sub) => {
    const path = `${prefix} ${sub.name()}`;
    return sub.commands.length > 0 ? allCommands(sub, path) : [[path, sub.description()] as [string, string]];
  });
}

export function buildProgram(io: Io): Command {
  const program = new Command('bastion')
    .description("Manage a Bastion gateway: start it, and edit its inventory and users in the gateway's own database (run on the bastion host); or, from anywhere, sign in to one (login) and connect with native clients (tunnel, ssh, rdp).")
    .version(version(), '-V, --version')
    .option('--config <file>', 'configuration file (default: $BASTION_CONFIG, else ./bastion.yaml if present)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('json'))
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showSuggestionAfterError()
    .exitOverride();
  // Settings above are copied to each subcommand as it is created.
  registerStartCommand(program, io);
  registerResourceGroupCommands(program, io);
  registerVnetCommands(program, io);
  registerNicCommands(program, io);
  registerVmCommands(program, io);
  registerBastionHostCommands(program, io);
  registerIdentityCommands(program, io);
  registerRoleCommands(program, io);
  registerKeyVaultCommands(program, io);
  registerBackupCommand(program, io);
  // Remote commands (design 0007): they talk to a bastion over HTTPS with the token of `bastion login`.
  registerLoginCommands(program, io);
  registerTunnelCommands(program, io);
  registerSshCommand(program, io);
  registerRdpCommand(program, io);

  program.addHelpText('after', () => {
    const rows = allCommands(program, 'bastion');
    const width = Math.max(...rows.map(([p]) => p.length));
    return `\nAll commands:\n${rows.map(([p, d]) => `  ${p.padEnd(width)}  ${d}`).join('\n')}\n\nRun "bastion <command> --help" for a command's options. Global options (--config, --output) go anywhere.\n`;
  });
  return program;
}

/** Runs the CLI on `argv` (without node and script) and answers the exit code; never throws. */
export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    // Commander has already printed its own message ("error: required option …") or the help.
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ExitCode) return err.code; // a native client's own status (bastion ssh)
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`error: ${message.replace(/^error: /i, '')}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await run(process.argv.slice(2));
