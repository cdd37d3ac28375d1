import { Option, type Command } from 'commander';
import type { NetworkInterfaceProps, VirtualMachineProps } from '../../server/src/inventory/types.js';
import { action, ids, listIn, mustGet, nameOrId, parseTags, type Ctx, type Resource } from './context.js';
import type { Io } from './io.js';
import { createNic, type NicPlacement } from './nic.js';
import type { Columns } from './output.js';

type VmView = Resource<VirtualMachineProps & { privateIPAddress: string | null }>;

/** A VM as the API shows it: with the private IP of its primary NIC added. */
export async function vmView(ctx: Ctx, vm: Resource<VirtualMachineProps>): Promise<VmView> {
  const primary = vm.properties.networkProfile.networkInterfaces[0];
  const nic = primary ? ((await ctx.inventory.get(primary.id)) as Resource<NetworkInterfaceProps> | undefined) : undefined;
  const ip = nic?.properties.ipConfigurations[0]?.properties.privateIPAddress ?? null;
  return { ...vm, properties: { ...vm.properties, privateIPAddress: ip } };
}

const columns: Columns<VmView> = {
  Name: (v) => v.name,
  ResourceGroup: (v) => v.resourceGroup,
  Location: (v) => v.location,
  OsType: (v) => v.properties.osType,
  PrivateIpAddress: (v) => v.properties.privateIPAddress,
  Nics: (v) => v.properties.networkProfile.networkInterfaces.map((n) => ids.nameOf(n.id)),
};

interface CreateOptions extends NicPlacement {
  resourceGroup: string;
  name: string;
  osType: 'linux' | 'windows';
  nics?: string[];
  tags?: string[];
}

/** Like `az vm create`: uses the given NICs, or creates `<name>-nic` from --vnet-name/--subnet/--private-ip-address. */
async function create(ctx: Ctx, o: CreateOptions): Promise<VmView> {
  const tags = parseTags(o.tags);
  const rg = o.resourceGroup;
  let created: string | undefined;
  let nicIds: string[];
  if (o.nics && o.nics.length > 0) {
    nicIds = o.nics.map((n) => nameOrId(n, (name) => ids.networkInterfaceId(ctx.subscriptionId, rg, name)));
  } else {
    const nicName = `${o.name}-nic`;
    const existed = await ctx.inventory.get(ids.networkInterfaceId(ctx.subscriptionId, rg, nicName));
    const nic = await createNic(ctx, rg, nicName, o, tags);
    if (!existed) created = nic.id;
    nicIds = [nic.id];
  }
  try {
    return await vmView(ctx, await ctx.inventory.putVirtualMachine(rg, o.name, { osType: o.osType, networkInterfaceIds: nicIds, tags }));
  } catch (err) {
    // Do not leave behind the NIC made for a VM that could not be created.
    if (created) await ctx.inventory.delete(created).catch(() => undefined);
    throw err;
  }
}

const getVm = (ctx: Ctx, o: { resourceGroup: string; name: string }) =>
  mustGet<VirtualMachineProps>(ctx, ids.virtualMachineId(ctx.subscriptionId, o.resourceGroup, o.name), `Virtual machine ${o.name} in resource group ${o.resourceGroup}`);

/** `bastion vm …`: virtual machines the bastion can connect to, as `az vm`. */
export function registerVmCommands(program: Command, io: Io): void {
  const vm = program.command('vm').description('Manage virtual machines (az vm).');

  vm.command('create')
    .description('Create or update a virtual machine (creates <name>-nic unless --nics is given).')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'virtual machine name')
    .addOption(new Option('--os-type <os>', 'operating system').choices(['linux', 'windows']).makeOptionMandatory())
    .option('--nics <nic...>', 'existing network interfaces (names in the resource group, or IDs); the first is primary')
    .option('--vnet-name <vnet>', 'virtual network for the new NIC')
    .option('--subnet <subnet>', 'subnet for the new NIC (name, or resource ID)')
    .option('--private-ip-address <ip>', 'static private IP of the new NIC')
    .option('--tags <tags...>', 'space-separated tags: key[=value]')
    .action(action(io, create, columns));

  vm.command('list')
    .description('List virtual machines.')
    .option('-g, --resource-group <rg>', 'only this resource group')
    .action(
      action(io, async (ctx, o: { resourceGroup?: string }) => {
        const all = await listIn<VirtualMachineProps>(ctx, ids.TYPES.virtualMachine, o.resourceGroup);
        return Promise.all(all.map((v) => vmView(ctx, v)));
      }, columns),
    );

  vm.command('show')
    .description('Show a virtual machine.')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'virtual machine name')
    .action(action(io, async (ctx, o: { resourceGroup: string; name: string }) => vmView(ctx, await getVm(ctx, o)), columns));

  vm.command('delete')
    .description('Delete a virtual machine (its network interfaces are kept, as in Azure).')
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'virtual machine name')
    .option('-y, --yes', 'accepted for az compatibility; there is no prompt')
    .action(
      action(io, async (ctx, o: { resourceGroup: string; name: string }) => {
        await ctx.inventory.delete((await getVm(ctx, o)).id);
      }),
    );
}
