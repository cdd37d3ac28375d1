import * as ids from './ids.js';
import type { Resource } from './repository.js';
import type { InventoryService } from './service.js';
import type * as T from './types.js';

/**
 * Read-side shapes: what a GET shows beyond the stored properties, as Azure does (a network lists its
 * subnets and peerings; a VM shows its primary private IP; a NIC names the VM it is attached to).
 */
export async function viewResource(inventory: InventoryService, r: Resource<object>): Promise<Resource<object>> {
  switch (r.type) {
    case ids.TYPES.virtualNetwork: {
      const subnets = await inventory.list<T.SubnetProps>(ids.TYPES.subnet, { parentId: r.id });
      const peerings = await inventory.list<T.PeeringProps>(ids.TYPES.peering, { parentId: r.id });
      return {
        ...r,
        properties: {
          ...r.properties,
          subnets: subnets.map((s) => ({ id: s.id, name: s.name, properties: s.properties })),
          virtualNetworkPeerings: peerings.map((p) => ({ id: p.id, name: p.name, properties: p.properties })),
        },
      };
    }
    case ids.TYPES.virtualMachine: {
      const props = r.properties as unknown as T.VirtualMachineProps;
      const primary = props.networkProfile.networkInterfaces[0];
      const nic = primary ? ((await inventory.get(primary.id)) as Resource<T.NetworkInterfaceProps> | undefined) : undefined;
      return { ...r, properties: { ...r.properties, privateIPAddress: nic?.properties.ipConfigurations[0]?.properties.privateIPAddress ?? null } };
    }
    case ids.TYPES.networkInterface: {
      const vm = await inventory.vmOfNic(undefined, r.id);
      return { ...r, properties: { ...r.properties, virtualMachine: vm ? { id: vm.id } : null } };
    }
    default:
      return r;
  }
}
