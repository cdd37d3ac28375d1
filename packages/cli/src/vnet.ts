import type { Command } from 'commander';
import { validationError } from '../../server/src/errors.js';
import type { PeeringProps, SubnetProps, VirtualNetworkProps } from '../../server/src/inventory/types.js';
import { action, ids, listIn, mustGet, parseTags, type Ctx, type Resource } from './context.js';
import type { Io } from './io.js';
import type { Columns } from './output.js';
import { registerPeeringCommands, registerSubnetCommands } from './vnet-children.js';

type VnetView = Resource<VirtualNetworkProps & { subnets: Array<{ id: string; name: string; properties: SubnetProps }>; virtualNetworkPeerings: Array<{ id: string; name: string; properties: PeeringProps }> }>;

/** A virtual network as ARM shows it: with its subnets and peerings inline. */
export async function vnetView(ctx: Ctx, vnet: Resource<VirtualNetworkProps>): Promise<VnetView> {
  const child = <P>(r: Resource<P>) => ({ id: r.id, name: r.name, properties: r.properties });
  const subnets = await ctx.inventory.list<SubnetProps>(ids.TYPES.subnet, { parentId: vnet.id });
  const peerings = await ctx.inventory.list<PeeringProps>(ids.TYPES.peering, { parentId: vnet.id });
  return { ...vnet, properties: { ...vnet.properties, subnets: subnets.map(child), virtualNetworkPeerings: peerings.map(child) } };
}

const columns: Columns<VnetView> = {
  Name: (v) => v.name,
  ResourceGroup: (v) => v.resourceGroup,
  Location: (v) => v.location,
  AddressPrefixes: (v) => v.properties.addressSpace.addressPrefixes,
  Subnets: (v) => v.properties.subnets.map((s) => `${s.name} (${s.properties.addressPrefix})`),
  Peerings: (v) => v.properties.virtualNetworkPeerings.length,
};

const vnetId = (ctx: Ctx, rg: string, name: string): string => ids.virtualNetworkId(ctx.subscriptionId, rg, name);
const getVnet = (ctx: Ctx, rg: string, name: string) => mustGet<VirtualNetworkProps>(ctx, vnetId(ctx, rg, name), `Virtual network ${name} in resource group ${rg}`);

interface CreateOptions {
  resourceGroup: string;
  name: string;
  addressPrefixes: string[];
  subnetName?: string;
  subnetPrefixes?: string[];
  location?: string;
  tags?: string[];
}

async function create(ctx: Ctx, o: CreateOptions): Promise<VnetView> {
  if ((o.subnetName === undefined) !== (o.subnetPrefixes === undefined))
    throw validationError('--subnet-name and --subnet-prefixes go together: give both or neither.');
  if (o.subnetPrefixes && o.subnetPrefixes.length !== 1) throw validationError('--subnet-prefixes: a subnet has exactly one address prefix.');
  const subnets = o.subnetName && o.subnetPrefixes ? [{ name: o.subnetName, addressPrefix: o.subnetPrefixes[0]! }] : undefined;
  const vnet = await ctx.inventory.putVirtualNetwork(o.resourceGroup, o.name, { addressPrefixes: o.addressPrefixes, subnets, location: o.location, tags: parseTags(o.tags) });
  return vnetView(ctx, vnet);
}

/** `bastion vnet …`: virtual networks, their subnets and peerings, as `az network vnet`. */
export function registerVnetCommands(program: Command, io: Io): void {
  const vnet = program.command('vnet').description('Manage virtual networks, subnets and peerings (az network vnet).');

  vnet
    .command('create')
    .description('Create or update a virtual network, optionally with one subnet.')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'virtual network name')
    .requiredOption('--address-prefixes <cidr...>', 'address space, e.g. 10.0.0.0/16 (several allowed)')
    .option('--subnet-name <name>', 'name of a subnet to create with the network')
    .option('--subnet-prefixes <cidr...>', "that subnet's address prefix, e.g. 10.0.0.0/24")
    .option('-l, --location <location>', "location (default: the resource group's)")
    .option('--tags <tags...>', 'space-separated tags: key[=value]')
    .action(action(io, create, columns));

  vnet
    .command('list')
    .description('List virtual networks.')
    .option('-g, --resource-group <rg>', 'only this resource group')
    .action(
      action(io, async (ctx, o: { resourceGroup?: string }) => {
        const all = await listIn<VirtualNetworkProps>(ctx, ids.TYPES.virtualNetwork, o.resourceGroup);
        return Promise.all(all.map((v) => vnetView(ctx, v)));
      }, columns),
    );

  vnet
    .command('show')
    .description('Show a virtual network with its subnets and peerings.')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'virtual network name')
    .action(action(io, async (ctx, o: { resourceGroup: string; name: string }) => vnetView(ctx, await getVnet(ctx, o.resourceGroup, o.name)), columns));

  vnet
    .command('delete')
    .description('Delete a virtual network (refused while network interfaces or a bastion use it).')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'virtual network name')
    .action(
      action(io, async (ctx, o: { resourceGroup: string; name: string }) => {
        await ctx.inventory.delete((await getVnet(ctx, o.resourceGroup, o.name)).id);
      }),
    );

  registerSubnetCommands(vnet, io, getVnet);
  registerPeeringCommands(vnet, io, getVnet);
}
