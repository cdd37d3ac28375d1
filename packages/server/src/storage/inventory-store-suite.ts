import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as ids from '../inventory/ids.js';
import { InventoryService } from '../inventory/service.js';
import type * as T from '../inventory/types.js';
import { hub, nic, refused, type StoreSuiteContext } from './store-kit-suite.js';

/** The inventory part of the storage compliance suite: the InventoryService's rules on either backend. */
export function inventoryStoreSuite({ store }: StoreSuiteContext): void {
  describe('InventoryService', () => {
    /** A fresh subscription per test: the inventory lists are per subscription, so tests do not see each other. */
    const inventory = (): InventoryService => new InventoryService(store().db, randomUUID());

    it('creates a resource group and a virtual network with AzureBastionSubnet /26 and snet-vms', async () => {
      const inv = inventory();
      const sub = inv.subscriptionId;
      const rg = await inv.putResourceGroup('rg-app', 'westeurope', { env: 'test' });
      expect(rg).toMatchObject({ id: `/subscriptions/${sub}/resourceGroups/rg-app`, name: 'rg-app', type: 'Microsoft.Resources/resourceGroups', location: 'westeurope', tags: { env: 'test' }, properties: { provisioningState: 'Succeeded' } });

      const { vnet, vmsSubnetId, bastionSubnetId } = await hub(inv);
      expect(vnet).toMatchObject({
        id: `/subscriptions/${sub}/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet-hub`,
        name: 'vnet-hub',
        type: ids.TYPES.virtualNetwork,
        resourceGroup: 'rg-app',
        location: 'westeurope',
        properties: { addressSpace: { addressPrefixes: ['10.90.0.0/16'] } },
      });
      const subnets = await inv.list<T.SubnetProps>(ids.TYPES.subnet, { parentId: vnet.id });
      expect(subnets.map((s) => [s.id, s.name, s.properties.addressPrefix]).sort()).toEqual(
        [
          [bastionSubnetId, 'AzureBastionSubnet', '10.90.0.0/26'],
          [vmsSubnetId, 'snet-vms', '10.90.1.0/24'],
        ].sort(),
      );
      expect(await inv.get(vmsSubnetId)).toMatchObject({ type: ids.TYPES.subnet, resourceGroup: 'rg-app' });

      // PUT is create-or-update: a second subnet by PUT, and re-PUT of the network keeps its subnets.
      await inv.putSubnet('rg-app', 'vnet-hub', 'snet-data', '10.90.2.0/24');
      await inv.putVirtualNetwork('rg-app', 'vnet-hub', { addressPrefixes: ['10.90.0.0/16'], tags: { v: '2' } });
      expect((await inv.list(ids.TYPES.subnet, { parentId: vnet.id })).map((s) => s.name).sort()).toEqual(['AzureBastionSubnet', 'snet-data', 'snet-vms']);
      expect(await inv.list(ids.TYPES.virtualNetwork)).toHaveLength(1);
      expect((await inv.get(vnet.id))?.tags).toEqual({ v: '2' });
    });

    it('refuses writes under a resource group or network that does not exist', async () => {
      const inv = inventory();
      await refused(inv.putVirtualNetwork('rg-none', 'vnet-x', { addressPrefixes: ['10.0.0.0/16'] }), 'BST_ERR_NOT_FOUND', 'Resource group rg-none was not found');
      await inv.putResourceGroup('rg-app');
      await refused(inv.putSubnet('rg-app', 'vnet-none', 'snet-a', '10.0.0.0/24'), 'BST_ERR_NOT_FOUND', 'Virtual network vnet-none was not found');
      await refused(inv.putResourceGroup('bad name'), 'BST_ERR_VALIDATION', 'Resource group name "bad name" is not valid');
    });

    it('refuses an AzureBastionSubnet smaller than /26', async () => {
      const inv = inventory();
      await inv.putResourceGroup('rg-app');
      await refused(
        inv.putVirtualNetwork('rg-app', 'vnet-small', { addressPrefixes: ['10.80.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.80.0.0/27' }] }),
        'BST_ERR_VALIDATION',
        'AzureBastionSubnet must be /26 or larger',
        '10.80.0.0/27',
      );
      expect(await inv.list(ids.TYPES.virtualNetwork)).toEqual([]); // nothing half-written

      const { vnet } = await hub(inv);
      await refused(inv.putSubnet('rg-app', 'vnet-hub', 'azurebastionsubnet', '10.90.0.0/27'), 'BST_ERR_VALIDATION', '/26 or larger', '10.90.0.0/27');
      expect((await inv.get(ids.subnetId(vnet.id, 'AzureBastionSubnet')))?.properties).toEqual({ addressPrefix: '10.90.0.0/26' });
      // Larger is fine.
      await inv.putSubnet('rg-app', 'vnet-hub', 'AzureBastionSubnet', '10.90.0.0/25');
    });

    it('refuses overlapping address prefixes in one virtual network', async () => {
      const inv = inventory();
      await hub(inv);
      await refused(inv.putSubnet('rg-app', 'vnet-hub', 'snet-b', '10.90.1.128/25'), 'BST_ERR_VALIDATION', 'subnet snet-b', '10.90.1.128/25', 'overlaps subnet snet-vms (10.90.1.0/24)');
      await refused(
        inv.putVirtualNetwork('rg-app', 'vnet-two', {
          addressPrefixes: ['10.70.0.0/16'],
          subnets: [
            { name: 'snet-a', addressPrefix: '10.70.0.0/24' },
            { name: 'snet-b', addressPrefix: '10.70.0.0/23' },
          ],
        }),
        'BST_ERR_VALIDATION',
        'overlaps subnet',
      );
      await refused(inv.putVirtualNetwork('rg-app', 'vnet-three', { addressPrefixes: ['10.60.0.0/16', '10.60.5.0/24'] }), 'BST_ERR_VALIDATION', '10.60.0.0/16 overlaps 10.60.5.0/24');
      await refused(inv.putVirtualNetwork('rg-app', 'vnet-four', { addressPrefixes: [] }), 'BST_ERR_VALIDATION', 'at least one address prefix');
      expect((await inv.list(ids.TYPES.virtualNetwork)).map((v) => v.name)).toEqual(['vnet-hub']);
    });

    it('refuses a subnet outside the address space, also when the space shrinks', async () => {
      const inv = inventory();
      await hub(inv);
      await refused(inv.putSubnet('rg-app', 'vnet-hub', 'snet-out', '10.91.0.0/24'), 'BST_ERR_VALIDATION', '10.91.0.0/24 is not inside', "address space (10.90.0.0/16)");
      await refused(inv.putVirtualNetwork('rg-app', 'vnet-hub', { addressPrefixes: ['10.90.1.0/24'] }), 'BST_ERR_VALIDATION', 'subnet AzureBastionSubnet', 'not inside');
      expect((await inv.list<T.VirtualNetworkProps>(ids.TYPES.virtualNetwork))[0]?.properties.addressSpace.addressPrefixes).toEqual(['10.90.0.0/16']);
    });

    it('refuses a CIDR with host bits set and suggests the network address', async () => {
      const inv = inventory();
      await inv.putResourceGroup('rg-app');
      await refused(inv.putVirtualNetwork('rg-app', 'vnet-bad', { addressPrefixes: ['10.0.0.1/24'] }), 'BST_ERR_VALIDATION', 'addressSpace.addressPrefixes[0]', '10.0.0.1/24 is not a network address', 'did you mean 10.0.0.0/24?');
      await inv.putVirtualNetwork('rg-app', 'vnet-ok', { addressPrefixes: ['10.0.0.0/16'] });
      await refused(inv.putSubnet('rg-app', 'vnet-ok', 'snet-a', '10.0.0.1/24'), 'BST_ERR_VALIDATION', 'subnet snet-a', 'did you mean 10.0.0.0/24?');
      await refused(inv.putSubnet('rg-app', 'vnet-ok', 'snet-a', '10.0.0.0/33'), 'BST_ERR_VALIDATION', 'greater than 32');
      await refused(inv.putSubnet('rg-app', 'vnet-ok', 'snet-a', 'fd00::/64'), 'BST_ERR_VALIDATION', 'IPv6');
      expect(await inv.list(ids.TYPES.subnet)).toEqual([]);
    });

    it('refuses a NIC whose IP is outside its subnet, reserved, invalid or already used', async () => {
      const inv = inventory();
      const { vmsSubnetId, vnet } = await hub(inv);
      await refused(nic(inv, 'nic-out', vmsSubnetId, '10.90.2.4'), 'BST_ERR_VALIDATION', 'privateIPAddress 10.90.2.4 is not inside subnet snet-vms (10.90.1.0/24)');
      await refused(nic(inv, 'nic-gw', vmsSubnetId, '10.90.1.1'), 'BST_ERR_VALIDATION', '10.90.1.1 is reserved in subnet snet-vms (10.90.1.0/24)');
      await refused(nic(inv, 'nic-net', vmsSubnetId, '10.90.1.0'), 'BST_ERR_VALIDATION', 'reserved');
      await refused(nic(inv, 'nic-bc', vmsSubnetId, '10.90.1.255'), 'BST_ERR_VALIDATION', 'reserved');
      await refused(nic(inv, 'nic-bad', vmsSubnetId, '10.90.1.300'), 'BST_ERR_VALIDATION', 'privateIPAddress', '10.90.1.300', 'greater than 255');
      await refused(nic(inv, 'nic-nosub', ids.subnetId(vnet.id, 'snet-none'), '10.90.1.4'), 'BST_ERR_VALIDATION', 'ipConfigurations[0].subnet does not exist');
      await refused(inv.putNetworkInterface('rg-app', 'nic-none', { ipConfigurations: [] }), 'BST_ERR_VALIDATION', 'at least one IP configuration');

      const a = await nic(inv, 'nic-a', vmsSubnetId, '10.90.1.4');
      expect(a.properties.ipConfigurations).toEqual([{ name: 'ipconfig1', properties: { privateIPAddress: '10.90.1.4', subnet: { id: vmsSubnetId } } }]);
      await refused(nic(inv, 'nic-b', vmsSubnetId, '10.90.1.4'), 'BST_ERR_CONFLICT', 'privateIPAddress 10.90.1.4 is already used by network interface nic-a');
      await nic(inv, 'nic-a', vmsSubnetId, '10.90.1.4'); // re-PUT of the same NIC keeps its own address
      await nic(inv, 'nic-b', vmsSubnetId, '10.90.1.5');
      // The same address in another virtual network is fine.
      await inv.putVirtualNetwork('rg-app', 'vnet-other', { addressPrefixes: ['10.90.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.90.1.0/24' }] });
      await nic(inv, 'nic-c', ids.subnetId(ids.virtualNetworkId(inv.subscriptionId, 'rg-app', 'vnet-other'), 'snet-vms'), '10.90.1.4');
      expect((await inv.list(ids.TYPES.networkInterface)).map((n) => n.name).sort()).toEqual(['nic-a', 'nic-b', 'nic-c']);

      // A subnet cannot shrink away from a NIC's address.
      await refused(inv.putSubnet('rg-app', 'vnet-hub', 'snet-vms', '10.90.1.128/25'), 'BST_ERR_VALIDATION', 'would leave 10.90.1.4 of network interface nic-a outside it');
    });

    it('refuses a NIC in AzureBastionSubnet', async () => {
      const inv = inventory();
      const { bastionSubnetId, vnet } = await hub(inv);
      await refused(nic(inv, 'nic-bas', bastionSubnetId, '10.90.0.10'), 'BST_ERR_VALIDATION', 'AzureBastionSubnet is reserved for the bastion', 'nic-bas');
      await refused(nic(inv, 'nic-bas', ids.subnetId(vnet.id, 'azurebastionsubnet'), '10.90.0.10'), 'BST_ERR_VALIDATION', 'reserved for the bastion');
      expect(await inv.list(ids.TYPES.networkInterface)).toEqual([]);
    });

    it('refuses a VM with an unknown NIC, and a NIC attached to two VMs', async () => {
      const inv = inventory();
      const { vmsSubnetId, vnet } = await hub(inv);
      const unknown = ids.networkInterfaceId(inv.subscriptionId, 'rg-app', 'nic-ghost');
      await refused(inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'linux', networkInterfaceIds: [unknown] }), 'BST_ERR_VALIDATION', 'networkProfile.networkInterfaces[0] does not exist', 'nic-ghost');
      await refused(inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'linux', networkInterfaceIds: [vnet.id] }), 'BST_ERR_VALIDATION', 'must be a network interface');
      await refused(inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'linux', networkInterfaceIds: [] }), 'BST_ERR_VALIDATION', 'at least one network interface');
      await refused(inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'macos' as never, networkInterfaceIds: [unknown] }), 'BST_ERR_VALIDATION', 'osType');

      const a = await nic(inv, 'nic-a', vmsSubnetId, '10.90.1.4');
      const vm = await inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'linux', networkInterfaceIds: [a.id.toUpperCase()], tags: { role: 'ssh' } });
      expect(vm).toMatchObject({ type: ids.TYPES.virtualMachine, tags: { role: 'ssh' }, properties: { osType: 'linux', networkProfile: { networkInterfaces: [{ id: a.id }] } } });
      await refused(inv.putVirtualMachine('rg-app', 'vm-b', { osType: 'windows', networkInterfaceIds: [a.id.toLowerCase()] }), 'BST_ERR_CONFLICT', 'Network interface nic-a is already attached to virtual machine vm-a');
      expect(await inv.get(ids.virtualMachineId(inv.subscriptionId, 'rg-app', 'vm-b'))).toBeUndefined();
      await inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'windows', networkInterfaceIds: [a.id] }); // re-PUT of the owner is fine
      expect((await inv.vmOfNic(store().db, a.id))?.name).toBe('vm-a');
    });

    it('refuses a bastion in a network without AzureBastionSubnet, and a second bastion in one network', async () => {
      const inv = inventory();
      const { vnet } = await hub(inv);
      const bare = await inv.putVirtualNetwork('rg-app', 'vnet-bare', { addressPrefixes: ['10.50.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.50.1.0/24' }] });
      await refused(inv.putBastionHost('rg-app', 'bas-bare', bare.id), 'BST_ERR_VALIDATION', 'Virtual network vnet-bare has no subnet named AzureBastionSubnet');
      await refused(inv.putBastionHost('rg-app', 'bas-x', ids.virtualNetworkId(inv.subscriptionId, 'rg-app', 'vnet-none')), 'BST_ERR_VALIDATION', 'virtualNetwork does not exist');
      await refused(inv.putBastionHost('rg-app', 'bas-x', ids.subnetId(vnet.id, 'snet-vms')), 'BST_ERR_VALIDATION', 'must be a virtual network');

      const bastion = await inv.putBastionHost('rg-app', 'bas-hub', vnet.id.toUpperCase());
      expect(bastion).toMatchObject({ id: ids.bastionHostId(inv.subscriptionId, 'rg-app', 'bas-hub'), type: ids.TYPES.bastionHost, properties: { virtualNetwork: { id: vnet.id } } });
      await refused(inv.putBastionHost('rg-app', 'bas-second', vnet.id.toLowerCase()), 'BST_ERR_CONFLICT', 'Virtual network vnet-hub already has bastion bas-hub');
      await inv.putBastionHost('rg-app', 'BAS-HUB', vnet.id); // re-PUT (any casing) is an update
      expect(await inv.list(ids.TYPES.bastionHost)).toHaveLength(1);
    });

    it('peers two networks both ways and refuses overlap between peered networks', async () => {
      const inv = inventory();
      const { vnet: hubNet } = await hub(inv);
      const spoke = await inv.putVirtualNetwork('rg-app', 'vnet-spoke', { addressPrefixes: ['10.91.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.91.1.0/24' }] });
      const clash = await inv.putVirtualNetwork('rg-app', 'vnet-clash', { addressPrefixes: ['10.90.128.0/17'] }); // unpeered overlap is allowed

      const peering = await inv.putPeering('rg-app', 'vnet-hub', 'hub-to-spoke', spoke.id);
      expect(peering).toMatchObject({ id: ids.peeringId(hubNet.id, 'hub-to-spoke'), type: ids.TYPES.peering, properties: { remoteVirtualNetwork: { id: spoke.id }, peeringState: 'Connected' } });
      const back = await inv.peeringsOf(store().db, spoke.id);
      expect(back).toHaveLength(1);
      expect(back[0]?.properties.remoteVirtualNetwork.id).toBe(hubNet.id);
      await inv.putPeering('rg-app', 'vnet-hub', 'hub-to-spoke', spoke.id.toUpperCase()); // idempotent
      expect(await inv.peeringsOf(store().db, spoke.id)).toHaveLength(1);
      expect(await inv.list(ids.TYPES.peering)).toHaveLength(2);

      await refused(inv.putPeering('rg-app', 'vnet-hub', 'hub-to-clash', clash.id), 'BST_ERR_VALIDATION', 'Peering hub-to-clash', '10.90.0.0/16 overlaps 10.90.128.0/17', 'vnet-clash');
      await refused(inv.putPeering('rg-app', 'vnet-hub', 'hub-to-hub', hubNet.id.toLowerCase()), 'BST_ERR_VALIDATION', 'cannot be peered with itself');
      await refused(inv.putPeering('rg-app', 'vnet-hub', 'hub-to-none', ids.virtualNetworkId(inv.subscriptionId, 'rg-app', 'vnet-none')), 'BST_ERR_VALIDATION', 'remote virtual network does not exist');
      // Growing a peered network into its peer's space is refused, from either side.
      await refused(inv.putVirtualNetwork('rg-app', 'vnet-spoke', { addressPrefixes: ['10.91.0.0/16', '10.90.200.0/24'] }), 'BST_ERR_VALIDATION', '10.90.200.0/24 overlaps 10.90.0.0/16 of peered network vnet-hub');
      await refused(inv.putVirtualNetwork('rg-app', 'vnet-hub', { addressPrefixes: ['10.90.0.0/16', '10.91.5.0/24'] }), 'BST_ERR_VALIDATION', 'overlaps 10.91.0.0/16 of peered network vnet-spoke');

      // Deleting one side of a peering removes both.
      await inv.delete(peering.id.toUpperCase());
      expect(await inv.list(ids.TYPES.peering)).toEqual([]);

      // Deleting a peered network removes the peerings that point at it too.
      await inv.putPeering('rg-app', 'vnet-spoke', 'spoke-to-hub', hubNet.id);
      await inv.delete(spoke.id);
      expect(await inv.list(ids.TYPES.peering)).toEqual([]);
      expect(await inv.peeringsOf(store().db, hubNet.id)).toEqual([]);
    });

    it('looks IDs up case-insensitively and keeps the first spelling', async () => {
      const inv = inventory();
      const { vnet, vmsSubnetId } = await hub(inv);
      for (const variant of [vnet.id.toUpperCase(), vnet.id.toLowerCase()]) expect((await inv.get(variant))?.id).toBe(vnet.id);
      // A subnet given in another casing is stored under its canonical ID.
      const a = await nic(inv, 'nic-a', vmsSubnetId.toUpperCase(), '10.90.1.4');
      expect(a.properties.ipConfigurations[0]?.properties.subnet.id).toBe(vmsSubnetId);
      // A path with other casing finds the same resources and updates instead of duplicating.
      await inv.putSubnet('RG-APP', 'VNET-HUB', 'SNET-VMS', '10.90.1.0/24');
      await inv.putResourceGroup('RG-APP', 'westeurope');
      expect(await inv.list(ids.TYPES.resourceGroup)).toHaveLength(1);
      expect((await inv.list(ids.TYPES.subnet, { parentId: vnet.id.toUpperCase() })).map((s) => s.id).sort()).toEqual([ids.subnetId(vnet.id, 'AzureBastionSubnet'), vmsSubnetId].sort());
      const rg = await inv.get(ids.resourceGroupId(inv.subscriptionId, 'Rg-App'));
      expect(rg).toMatchObject({ id: ids.resourceGroupId(inv.subscriptionId, 'rg-app'), name: 'rg-app' });
      expect((await inv.get(vmsSubnetId.toUpperCase()))?.name).toBe('snet-vms');
      expect(await inv.get(ids.resourceGroupId(inv.subscriptionId, 'rg-other'))).toBeUndefined();
    });

    it('refuses deletes while something depends on the resource, then allows them', async () => {
      const inv = inventory();
      const sub = inv.subscriptionId;
      const { vnet, vmsSubnetId, bastionSubnetId } = await hub(inv);
      const a = await nic(inv, 'nic-a', vmsSubnetId, '10.90.1.4');
      const vm = await inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'linux', networkInterfaceIds: [a.id] });
      const bastion = await inv.putBastionHost('rg-app', 'bas-hub', vnet.id);
      const rgId = ids.resourceGroupId(sub, 'rg-app');

      await refused(inv.delete(vmsSubnetId), 'BST_ERR_CONFLICT', 'snet-vms cannot be deleted', 'network interface nic-a uses it');
      await refused(inv.delete(a.id), 'BST_ERR_CONFLICT', 'nic-a cannot be deleted', 'attached to virtual machine vm-a');
      await refused(inv.delete(rgId), 'BST_ERR_CONFLICT', 'rg-app cannot be deleted', 'still holds');
      await refused(inv.delete(vnet.id), 'BST_ERR_CONFLICT', 'vnet-hub cannot be deleted', 'network interface nic-a uses subnet snet-vms');
      await refused(inv.delete(bastionSubnetId), 'BST_ERR_CONFLICT', 'AzureBastionSubnet cannot be deleted', 'bastion bas-hub');
      await refused(inv.delete(ids.virtualMachineId(sub, 'rg-app', 'vm-none')), 'BST_ERR_NOT_FOUND', 'was not found');

      await inv.delete(vm.id.toUpperCase());
      await inv.delete(a.id);
      await inv.delete(vmsSubnetId);
      await refused(inv.delete(vnet.id), 'BST_ERR_CONFLICT', 'vnet-hub cannot be deleted', 'bastion bas-hub is deployed in it');
      await inv.delete(bastion.id);
      await inv.delete(vnet.id); // takes its remaining subnet with it
      expect(await inv.list(ids.TYPES.subnet)).toEqual([]);
      await inv.delete(rgId);

      for (const type of Object.values(ids.TYPES)) expect(await inv.list(type)).toEqual([]);
      const left = await store().db.selectFrom('resources').select('id').where('subscription_id', '=', sub).execute();
      expect(left).toEqual([]);
    });

    it('lists by type and by resource group, per subscription', async () => {
      const inv = inventory();
      const other = inventory();
      await hub(inv, 'rg-a');
      await inv.putResourceGroup('rg-b');
      const vnetB = await inv.putVirtualNetwork('rg-b', 'vnet-b', { addressPrefixes: ['10.20.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.20.1.0/24' }] });
      await nic(inv, 'nic-a', ids.subnetId(ids.virtualNetworkId(inv.subscriptionId, 'rg-a', 'vnet-hub'), 'snet-vms'), '10.90.1.4', 'rg-a');
      await nic(inv, 'nic-b', ids.subnetId(vnetB.id, 'snet-vms'), '10.20.1.4', 'rg-b');
      await hub(other, 'rg-a');

      const names = async (type: ids.InventoryType, filter: { resourceGroup?: string; parentId?: string } = {}) => (await inv.list(type, filter)).map((r) => r.name).sort();
      expect(await names(ids.TYPES.resourceGroup)).toEqual(['rg-a', 'rg-b']);
      expect(await names(ids.TYPES.virtualNetwork)).toEqual(['vnet-b', 'vnet-hub']);
      expect(await names(ids.TYPES.virtualNetwork, { resourceGroup: 'RG-A' })).toEqual(['vnet-hub']);
      expect(await names(ids.TYPES.networkInterface)).toEqual(['nic-a', 'nic-b']);
      expect(await names(ids.TYPES.networkInterface, { resourceGroup: 'rg-b' })).toEqual(['nic-b']);
      expect(await names(ids.TYPES.subnet, { resourceGroup: 'rg-a' })).toEqual(['AzureBastionSubnet', 'snet-vms']);
      expect(await names(ids.TYPES.subnet, { parentId: vnetB.id })).toEqual(['snet-vms']);
      expect(await names(ids.TYPES.virtualMachine)).toEqual([]);
      expect(await names(ids.TYPES.networkInterface, { resourceGroup: 'rg-none' })).toEqual([]);
      // The other subscription sees only its own.
      expect((await other.list(ids.TYPES.virtualNetwork)).map((v) => v.id)).toEqual([ids.virtualNetworkId(other.subscriptionId, 'rg-a', 'vnet-hub')]);
      expect(await other.list(ids.TYPES.networkInterface)).toEqual([]);
    });
  });
}
