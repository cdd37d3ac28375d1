import type { InventoryConfig } from '../config/schema.js';
import * as ids from './ids.js';
import type { InventoryService } from './service.js';

/**
 * Applies the inventory declared in the configuration file: creates or updates each resource, in
 * dependency order. Nothing is deleted (removing a line from the file must not destroy data).
 * Errors name the entry: "inventory.virtualMachines[vm-ssh]: privateIPAddress … is not inside …".
 */
export async function applyInventoryConfig(inventory: InventoryService, config: InventoryConfig): Promise<number> {
  const sub = inventory.subscriptionId;
  let written = 0;
  const step = async (where: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
      written++;
    } catch (err) {
      throw new Error(`inventory.${where}: ${(err as Error).message}`, { cause: err });
    }
  };
  const vnetRg = new Map((config.virtualNetworks ?? []).map((v) => [v.name.toLowerCase(), v.resourceGroup]));
  const vnetIdByName = (name: string, where: string): string => {
    const rg = vnetRg.get(name.toLowerCase());
    if (!rg) throw new Error(`inventory.${where}: virtual network ${name} is not declared in inventory.virtualNetworks.`);
    return ids.virtualNetworkId(sub, rg, name);
  };

  const groups = new Set([...(config.resourceGroups ?? []).map((g) => g.name)]);
  for (const g of config.resourceGroups ?? []) await step(`resourceGroups[${g.name}]`, () => inventory.putResourceGroup(g.name, g.location));
  // Groups referred to but not declared are created too: a small file should not need to list them.
  for (const r of [...(config.virtualNetworks ?? []), ...(config.virtualMachines ?? []), ...(config.bastionHosts ?? [])])
    if (![...groups].some((g) => g.toLowerCase() === r.resourceGroup.toLowerCase())) {
      groups.add(r.resourceGroup);
      await step(`resourceGroups[${r.resourceGroup}]`, () => inventory.putResourceGroup(r.resourceGroup));
    }
  for (const v of config.virtualNetworks ?? [])
    await step(`virtualNetworks[${v.name}]`, () => inventory.putVirtualNetwork(v.resourceGroup, v.name, { addressPrefixes: v.addressSpace, subnets: v.subnets }));
  for (const v of config.virtualNetworks ?? [])
    for (const peer of v.peerings ?? [])
      await step(`virtualNetworks[${v.name}].peerings[${peer}]`, () => inventory.putPeering(v.resourceGroup, v.name, `${v.name}-to-${peer}`.slice(0, 80), vnetIdByName(peer, `virtualNetworks[${v.name}].peerings`)));
  for (const vm of config.virtualMachines ?? []) {
    const nicIds: string[] = [];
    for (const nic of vm.nics) {
      const subnet = ids.subnetId(vnetIdByName(nic.virtualNetwork, `virtualMachines[${vm.name}]`), nic.subnet);
      await step(`virtualMachines[${vm.name}].nics[${nic.name}]`, () => inventory.putNetworkInterface(vm.resourceGroup, nic.name, { ipConfigurations: [{ privateIPAddress: nic.privateIpAddress, subnetId: subnet }] }));
      nicIds.push(ids.networkInterfaceId(sub, vm.resourceGroup, nic.name));
    }
    await step(`virtualMachines[${vm.name}]`, () => inventory.putVirtualMachine(vm.resourceGroup, vm.name, { osType: vm.osType, networkInterfaceIds: nicIds, tags: vm.tags }));
  }
  for (const b of config.bastionHosts ?? [])
    await step(`bastionHosts[${b.name}]`, async () => {
      const r = await inventory.putBastionHost(b.resourceGroup, b.name, vnetIdByName(b.virtualNetwork, `bastionHosts[${b.name}]`));
      // Design 0007: IP-based connection and shareable links, off unless the file turns them on.
      await inventory.setBastionFeatures(r.id, { enableIpConnect: b.enableIpConnect ?? false, enableShareableLink: b.enableShareableLink ?? false, disableCopyPaste: b.disableCopyPaste ?? false, onPremisesRanges: b.onPremisesRanges ?? [], enableTunneling: b.enableTunneling ?? true, enableSessionRecording: b.enableSessionRecording ?? true });
      // Design 0005: idle timeout and maximum session length (defaults when the file omits them).
      await inventory.setBastionLimits(r.id, { idleTimeoutMinutes: b.idleTimeoutMinutes, maxSessionMinutes: b.maxSessionMinutes });
    });
  return written;
}
