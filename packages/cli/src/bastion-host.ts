import type { Command } from 'commander';
import type { BastionHostProps } from '../../server/src/inventory/types.js';
import { action, ids, listIn, mustGet, nameOrId, parseTags, type Ctx, type Resource } from './context.js';
import type { Io } from './io.js';
import type { Columns } from './output.js';

const columns: Columns<Resource<BastionHostProps>> = {
  Name: (b) => b.name,
  ResourceGroup: (b) => b.resourceGroup,
  Location: (b) => b.location,
  VirtualNetwork: (b) => ids.nameOf(b.properties.virtualNetwork.id),
};

const getHost = (ctx: Ctx, o: { resourceGroup: string; name: string }) =>
  mustGet<BastionHostProps>(ctx, ids.bastionHostId(ctx.subscriptionId, o.resourceGroup, o.name), `Bastion ${o.name} in resource group ${o.resourceGroup}`);

/** `bastion bastion …`: bastion hosts deployed in virtual networks, as `az network bastion`. */
export function registerBastionHostCommands(program: Command, io: Io): void {
  const bastion = program.command('bastion').description('Manage bastion hosts in virtual networks (az network bastion).');

  bastion
    .command('create')
    .description('Deploy a bastion in a virtual network (needs an AzureBastionSubnet of /26 or larger).')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'bastion name')
    .requiredOption('--vnet-name <vnet>', 'virtual network: a name in the resource group, or a resource ID')
    .option('--tags <tags...>', 'space-separated tags: key[=value]')
    .action(
      action(io, (ctx, o: { resourceGroup: string; name: string; vnetName: string; tags?: string[] }) => {
        const vnetId = nameOrId(o.vnetName, (n) => ids.virtualNetworkId(ctx.subscriptionId, o.resourceGroup, n));
        return ctx.inventory.putBastionHost(o.resourceGroup, o.name, vnetId, parseTags(o.tags));
      }, columns),
    );

  bastion
    .command('list')
    .description('List bastion hosts.')
    .option('-g, --resource-group <rg>', 'only this resource group')
    .action(action(io, (ctx, o: { resourceGroup?: string }) => listIn<BastionHostProps>(ctx, ids.TYPES.bastionHost, o.resourceGroup), columns));

  bastion
    .command('show')
    .description('Show a bastion host.')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'bastion name')
    .action(action(io, getHost, columns));

  bastion
    .command('delete')
    .description('Delete a bastion host.')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'bastion name')
    .action(
      action(io, async (ctx, o: { resourceGroup: string; name: string }) => {
        await ctx.inventory.delete((await getHost(ctx, o)).id);
      }),
    );
}
