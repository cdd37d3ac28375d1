import type { Command } from 'commander';
import type { GlobalOptions } from './context.js';
import type { Io } from './io.js';

/** `bastion start`: runs the gateway in this process (it keeps running until stopped). */
export function registerStartCommand(program: Command, io: Io): void {
  program
    .command('start')
    .description('Start the bastion gateway (HTTPS server) with the configuration file.')
    .action(async (_opts: unknown, cmd: Command) => {
      const { config } = cmd.optsWithGlobals<GlobalOptions>();
      const server = await io.importServer();
      await server.startBastion({ configFile: config });
    });
}
