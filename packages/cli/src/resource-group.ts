import type { Command } from 'commander';
import { action, ids, mustGet, parseTags, type Resource } from './context.js';
import type { Io } from './io.js';
import type { Columns } from './output.js';

const columns: Columns<Resource> = {
  Name: (r) => r.name,
  Location: (r) => r.location,
  Status: (r) => (r.properties as { provisioningState?: string }).provisioningState,
};

/** `bastion group …`: resource groups, as `az group`. */
export function registerResourceGroupCommands(program: Command, io: Io): void {
  const group = program.command('group').description('Manage resource groups (az group).');

  group
    .command('create')
    .description('Create or update a resource group.')
    .requiredOption('-n, --name <name>', 'resource group name')
    .option('-l, --location <location>', 'location label', 'local')
    .option('--tags <tags...>', 'space-separated tags: key[=value]')
    .action(action(io, (ctx, o: { name: string; location: string; tags?: string[] }) => ctx.inventory.putResourceGroup(o.name, o.location, parseTags(o.tags)), columns));

  group
    .command('list')
    .description('List resource groups.')
    .action(action(io, (ctx) => ctx.inventory.list(ids.TYPES.resourceGroup), columns));

  group
    .command('show')
    .description('Show a resource group.')
    .requiredOption('-n, --name <name>', 'resource group name')
    .action(action(io, (ctx, o: { name: string }) => mustGet(ctx, ids.resourceGroupId(ctx.subscriptionId, o.name), `Resource group ${o.name}`), columns));

  group
    .command('delete')
    .description('Delete an empty resource group.')
    .requiredOption('-n, --name <name>', 'resource group name')
    .option('-y, --yes', 'accepted for az compatibility; there is no prompt')
    .action(
      action(io, async (ctx, o: { name: string }) => {
        const rg = await mustGet(ctx, ids.resourceGroupId(ctx.subscriptionId, o.name), `Resource group ${o.name}`);
        await ctx.inventory.delete(rg.id);
      }),
    );
}
