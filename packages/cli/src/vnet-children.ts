import type { Command } from 'commander';
import { validationError } from '../../server/src/errors.js';
import type { PeeringProps, SubnetProps, VirtualNetworkProps } from '../../server/src/inventory/types.js';
import { action, ids, mustGet, nameOrId, type Ctx, type Resource } from './context.js';
import type { Io } from './io.js';
import type { Columns } from './output.js';

type GetVnet = (ctx: Ctx, rg: string, name: string) => Promise<Resource<VirtualNetworkProps>>;
interface ChildOptions {
  resourceGroup: string;
  vnetName: string;
  name: string;
}

const subnetColumns: Columns<Resource<SubnetProps>> = {
  Name: (s) => s.name,
  ResourceGroup: (s) => s.resourceGroup,
  AddressPrefix: (s) => s.properties.addressPrefix,
};
const peeringColumns: Columns<Resource<PeeringProps>> = {
  Name: (p) => p.name,
  ResourceGroup: (p) => p.resourceGroup,
  RemoteVirtualNetwork: (p) => ids.nameOf(p.properties.remoteVirtualNetwork.id),
  PeeringState: (p) => p.properties.peeringState,
};

/** Adds the options every child command shares; `withName` adds --name too. */
const child = (cmd: Command, what: string, withName = true): Command => {
  cmd.requiredOption('-g, --resource-group <rg>', 'resource group').requiredOption('--vnet-name <vnet>', 'virtual network name');
  return withName ? cmd.requiredOption('-n, --name <name>', `${what} name`) : cmd;
};

/** `bastion vnet subnet …` (az network vnet subnet). */
export function registerSubnetCommands(vnet: Command, io: Io, getVnet: GetVnet): void {
  const subnet = vnet.command('subnet').description('Manage the subnets of a virtual network.');
  const getSubnet = async (ctx: Ctx, o: ChildOptions) =>
    mustGet<SubnetProps>(ctx, ids.subnetId((await getVnet(ctx, o.resourceGroup, o.vnetName)).id, o.name), `Subnet ${o.name} of virtual network ${o.vnetName}`);

  child(subnet.command('create').description('Create or update a subnet.'), 'subnet')
    .requiredOption('--address-prefixes <cidr...>', 'address prefix, e.g. 10.0.1.0/24')
    .action(
      action(io, (ctx, o: ChildOptions & { addressPrefixes: string[] }) => {
        if (o.addressPrefixes.length !== 1) throw validationError('--address-prefixes: a subnet has exactly one address prefix.');
        return ctx.inventory.putSubnet(o.resourceGroup, o.vnetName, o.name, o.addressPrefixes[0]!);
      }, subnetColumns),
    );

  child(subnet.command('list').description('List the subnets of a virtual network.'), 'subnet', false).action(
    action(io, async (ctx, o: Omit<ChildOptions, 'name'>) => {
      const parent = await getVnet(ctx, o.resourceGroup, o.vnetName);
      return ctx.inventory.list<SubnetProps>(ids.TYPES.subnet, { parentId: parent.id });
    }, subnetColumns),
  );

  child(subnet.command('show').description('Show a subnet.'), 'subnet').action(action(io, getSubnet, subnetColumns));

  child(subnet.command('delete').description('Delete a subnet (refused while network interfaces use it).'), 'subnet').action(
    action(io, async (ctx, o: ChildOptions) => {
      await ctx.inventory.delete((await getSubnet(ctx, o)).id);
    }),
  );
}

/** `bastion vnet peering …` (az network vnet peering); a peering is always made both ways. */
export function registerPeeringCommands(vnet: Command, io: Io, getVnet: GetVnet): void {
  const peering = vnet.command('peering').description('Manage virtual network peerings (made both ways).');
  const getPeering = async (ctx: Ctx, o: ChildOptions) =>
    mustGet<PeeringProps>(ctx, ids.peeringId((await getVnet(ctx, o.resourceGroup, o.vnetName)).id, o.name), `Peering ${o.name} of virtual network ${o.vnetName}`);

  child(peering.command('create').description('Peer a virtual network with another one.'), 'peering')
    .requiredOption('--remote-vnet <vnet>', 'the other virtual network: a name in the same resource group, or a resource ID')
    .action(
      action(io, (ctx, o: ChildOptions & { remoteVnet: string }) => {
        const remoteId = nameOrId(o.remoteVnet, (n) => ids.virtualNetworkId(ctx.subscriptionId, o.resourceGroup, n));
        return ctx.inventory.putPeering(o.resourceGroup, o.vnetName, o.name, remoteId);
      }, peeringColumns),
    );

  child(peering.command('list').description('List the peerings of a virtual network.'), 'peering', false).action(
    action(io, async (ctx, o: Omit<ChildOptions, 'name'>) => {
      const parent = await getVnet(ctx, o.resourceGroup, o.vnetName);
      return ctx.inventory.list<PeeringProps>(ids.TYPES.peering, { parentId: parent.id });
    }, peeringColumns),
  );

  child(peering.command('show').description('Show a peering.'), 'peering').action(action(io, getPeering, peeringColumns));

  child(peering.command('delete').description('Delete a peering (and its reverse).'), 'peering').action(
    action(io, async (ctx, o: ChildOptions) => {
      await ctx.inventory.delete((await getPeering(ctx, o)).id);
    }),
  );
}
