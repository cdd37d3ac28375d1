import type { Command } from 'commander';
import { validationError } from '../../server/src/errors.js';
import type { NetworkInterfaceProps } from '../../server/src/inventory/types.js';
import { action, ids, listIn, mustGet, nameOrId, parseTags, type Ctx, type Resource } from './context.js';
import type { Io } from './io.js';
import type { Columns } from './output.js';

export interface NicPlacement {
  vnetName?: string | undefined;
  subnet?: string | undefined;
  privateIpAddress?: string | undefined;
}

const columns: Columns<Resource<NetworkInterfaceProps>> = {
  Name: (n) => n.name,
  ResourceGroup: (n) => n.resourceGroup,
  PrivateIpAddress: (n) => n.properties.ipConfigurations.map((c) => c.properties.privateIPAddress),
  Subnet: (n) => n.properties.ipConfigurations.map((c) => ids.nameOf(c.properties.subnet.id)),
  VirtualNetwork: (n) => n.properties.ipConfigurations.map((c) => ids.nameOf(c.properties.subnet.id.replace(/\/subnets\/[^/]+$/i, ''))),
};

/** Creates (or updates) a NIC with one static IP configuration; shared with `vm create`. */
export function createNic(ctx: Ctx, rg: string, name: string, p: NicPlacement, tags: Record<string, string> = {}): Promise<Resource<NetworkInterfaceProps>> {
  if (!p.subnet) throw validationError('--subnet is required: the subnet name (with --vnet-name) or its resource ID.');
  if (!p.privateIpAddress) throw validationError('--private-ip-address is required: Bastion reaches machines at a static private IP.');
  const subnetRef = p.subnet;
  const subnetId = nameOrId(subnetRef, (n) => {
    if (!p.vnetName) throw validationError(`--vnet-name is required when --subnet is a name (${subnetRef}).`);
    return ids.subnetId(ids.virtualNetworkId(ctx.subscriptionId, rg, p.vnetName), n);
  });
  return ctx.inventory.putNetworkInterface(rg, name, { ipConfigurations: [{ privateIPAddress: p.privateIpAddress, subnetId }], tags });
}

const nicId = (ctx: Ctx, rg: string, name: string): string => ids.networkInterfaceId(ctx.subscriptionId, rg, name);
const getNic = (ctx: Ctx, o: { resourceGroup: string; name: string }) =>
  mustGet<NetworkInterfaceProps>(ctx, nicId(ctx, o.resourceGroup, o.name), `Network interface ${o.name} in resource group ${o.resourceGroup}`);

/** `bastion nic …`: network interfaces, as `az network nic`. */
export function registerNicCommands(program: Command, io: Io): void {
  const nic = program.command('nic').description('Manage network interfaces (az network nic).');

  nic
    .command('create')
    .description('Create or update a network interface with a static private IP.')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'network interface name')
    .option('--vnet-name <vnet>', 'virtual network of the subnet (when --subnet is a name)')
    .requiredOption('--subnet <subnet>', 'subnet name or resource ID')
    .requiredOption('--private-ip-address <ip>', 'static private IPv4 address inside the subnet')
    .option('--tags <tags...>', 'space-separated tags: key[=value]')
    .action(action(io, (ctx, o: NicPlacement & { resourceGroup: string; name: string; tags?: string[] }) => createNic(ctx, o.resourceGroup, o.name, o, parseTags(o.tags)), columns));

  nic
    .command('list')
    .description('List network interfaces.')
    .option('-g, --resource-group <rg>', 'only this resource group')
    .action(action(io, (ctx, o: { resourceGroup?: string }) => listIn<NetworkInterfaceProps>(ctx, ids.TYPES.networkInterface, o.resourceGroup), columns));

  nic
    .command('show')
    .description('Show a network interface.')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'network interface name')
    .action(action(io, getNic, columns));

  nic
    .command('delete')
    .description('Delete a network interface (refused while a virtual machine uses it).')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'network interface name')
    .action(
      action(io, async (ctx, o: { resourceGroup: string; name: string }) => {
        await ctx.inventory.delete((await getNic(ctx, o)).id);
      }),
    );
}
