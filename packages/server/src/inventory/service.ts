import type { Kysely } from 'kysely';
import { conflict, notFound, validationError } from '../errors.js';
import type { Database } from '../storage/schema.js';
import * as ids from './ids.js';
import { BASTION_SUBNET, checkAddressSpace, checkNoOverlap, checkPrivateIp, checkSubnet, ipInside } from './net-rules.js';
import { resourceRepository as repo, type Db, type Resource } from './repository.js';
import type * as T from './types.js';
import { inTransaction } from '../storage/transaction.js';
import { setBastionFeatures, type BastionFeatures } from './bastion-features.js';
import { setBastionLimits, type BastionLimits } from './bastion-limits.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,79}$/;
const checkName = (kind: string, name: string): void => {
  if (!NAME.test(name) || name.endsWith('.'))
    throw validationError(`${kind} name "${name}" is not valid: use 1–80 letters, digits, "_", "." or "-", starting with a letter or digit and not ending with ".".`);
};

/**
 * Inventory writes in the Azure model. Every write runs in a transaction and checks the rules that keep
 * the model consistent: addresses inside their subnets, no overlaps, references that exist, nothing
 * deleted while something else still refers to it.
 */
export class InventoryService {
  constructor(
    private readonly db: Kysely<Database>,
    readonly subscriptionId: string,
  ) {}

  /** The same service over a caller's transaction (design 0009: the write and its audit event commit together). */
  in(tx: Kysely<Database>): InventoryService {
    return new InventoryService(tx, this.subscriptionId);
  }

  private async need<P = object>(db: Db, id: string, what: string, status: 'body' | 'path' = 'body'): Promise<Resource<P>> {
    const r = await repo.get<P>(db, id);
    if (!r) throw status === 'path' ? notFound(what) : validationError(`${what} does not exist (${id}).`);
    return r;
  }

  private async needGroup(db: Db, rg: string): Promise<Resource<T.ResourceGroupProps>> {
    return this.need(db, ids.resourceGroupId(this.subscriptionId, rg), `Resource group ${rg}`, 'path');
  }

  get(id: string): Promise<Resource<Record<string, unknown>> | undefined> {
    return repo.get(this.db, id);
  }

  list<P = Record<string, unknown>>(type: ids.InventoryType, filter: { resourceGroup?: string; parentId?: string } = {}): Promise<Array<Resource<P>>> {
    return repo.list<P>(this.db, type, { subscriptionId: this.subscriptionId, ...filter });
  }

  async putResourceGroup(name: string, location?: string, tags: Record<string, string> = {}): Promise<Resource<T.ResourceGroupProps>> {
    checkName('Resource group', name);
    const id = ids.resourceGroupId(this.subscriptionId, name);
    return repo.put(this.db, { id, name, type: ids.TYPES.resourceGroup, resourceGroup: name, location: location ?? 'local', tags, subscriptionId: this.subscriptionId, properties: { provisioningState: 'Succeeded' } });
  }

  async putVirtualNetwork(rg: string, name: string, input: T.VirtualNetworkInput): Promise<Resource<T.VirtualNetworkProps>> {
    checkName('Virtual network', name);
    checkAddressSpace(input.addressPrefixes);
    return inTransaction(this.db, async (tx) => {
      const group = await this.needGroup(tx, rg);
      const id = ids.virtualNetworkId(this.subscriptionId, rg, name);
      const existingSubnets = await repo.list<T.SubnetProps>(tx, ids.TYPES.subnet, { parentId: id });
      const declared = input.subnets ?? [];
      const subnets = [...existingSubnets.filter((s) => !declared.some((d) => d.name.toLowerCase() === s.name.toLowerCase())).map((s) => ({ name: s.name, addressPrefix: s.properties.addressPrefix })), ...declared];
      subnets.forEach((s) => {
        checkName('Subnet', s.name);
        checkSubnet(s.name, s.addressPrefix, input.addressPrefixes, subnets);
      });
      for (const peer of await this.peersOf(tx, id)) checkNoOverlap(`Virtual network ${name}`, input.addressPrefixes, `peered network ${peer.name}`, peer.properties.addressSpace.addressPrefixes);
      const vnet = await repo.put<T.VirtualNetworkProps>(tx, { id, name, type: ids.TYPES.virtualNetwork, resourceGroup: rg, location: input.location ?? group.location, tags: input.tags ?? {}, subscriptionId: this.subscriptionId, properties: { addressSpace: { addressPrefixes: input.addressPrefixes } } });
      for (const s of declared) await this.writeSubnet(tx, vnet, s.name, s.addressPrefix);
      return vnet;
    });
  }

  async putSubnet(rg: string, vnetName: string, name: string, addressPrefix: string): Promise<Resource<T.SubnetProps>> {
    checkName('Subnet', name);
    return inTransaction(this.db, async (tx) => {
      const vnet = await this.need<T.VirtualNetworkProps>(tx, ids.virtualNetworkId(this.subscriptionId, rg, vnetName), `Virtual network ${vnetName}`, 'path');
      const siblings = await repo.list<T.SubnetProps>(tx, ids.TYPES.subnet, { parentId: vnet.id });
      checkSubnet(name, addressPrefix, vnet.properties.addressSpace.addressPrefixes, siblings.map((s) => ({ name: s.name, addressPrefix: s.properties.addressPrefix })));
      return this.writeSubnet(tx, vnet, name, addressPrefix);
    });
  }

  /** Writes a subnet after the caller checked it against its siblings; re-checks the NICs already in it. */
  private async writeSubnet(tx: Db, vnet: Resource, name: string, addressPrefix: string): Promise<Resource<T.SubnetProps>> {
    const id = ids.subnetId(vnet.id, name);
    for (const { nic, config } of await this.nicsInSubnet(tx, id))
      if (!ipInside(config.properties.privateIPAddress, addressPrefix))
        throw validationError(`subnet ${name}: addressPrefix ${addressPrefix} would leave ${config.properties.privateIPAddress} of network interface ${nic.name} outside it.`);
    return repo.put<T.SubnetProps>(tx, { id, name, type: ids.TYPES.subnet, resourceGroup: vnet.resourceGroup, location: vnet.location, tags: {}, subscriptionId: this.subscriptionId, parentId: vnet.id, properties: { addressPrefix } });
  }

  /** Peers two networks both ways (Azure needs two peerings; the bastion treats them as one link). */
  async putPeering(rg: string, vnetName: string, name: string, remoteId: string): Promise<Resource<T.PeeringProps>> {
    checkName('Peering', name);
    return inTransaction(this.db, async (tx) => {
      const local = await this.need<T.VirtualNetworkProps>(tx, ids.virtualNetworkId(this.subscriptionId, rg, vnetName), `Virtual network ${vnetName}`, 'path');
      const remote = await this.need<T.VirtualNetworkProps>(tx, remoteId, 'The remote virtual network');
      if (remote.type !== ids.TYPES.virtualNetwork) throw validationError(`remoteVirtualNetwork.id must be a virtual network (got ${remote.type}).`);
      if (remote.id.toLowerCase() === local.id.toLowerCase()) throw validationError('A virtual network cannot be peered with itself.');
      checkNoOverlap(`Peering ${name}`, local.properties.addressSpace.addressPrefixes, `virtual network ${remote.name}`, remote.properties.addressSpace.addressPrefixes);
      const write = (from: Resource, to: Resource, peeringName: string) =>
        repo.put<T.PeeringProps>(tx, { id: ids.peeringId(from.id, peeringName), name: peeringName, type: ids.TYPES.peering, resourceGroup: from.resourceGroup, location: from.location, tags: {}, subscriptionId: this.subscriptionId, parentId: from.id, properties: { remoteVirtualNetwork: { id: to.id }, peeringState: 'Connected' } });
      const reverse = (await this.peeringsOf(tx, remote.id)).find((p) => p.properties.remoteVirtualNetwork.id.toLowerCase() === local.id.toLowerCase());
      if (!reverse) await write(remote, local, `${remote.name}-to-${local.name}`.slice(0, 80));
      return write(local, remote, name);
    });
  }

  async putNetworkInterface(rg: string, name: string, input: T.NetworkInterfaceInput): Promise<Resource<T.NetworkInterfaceProps>> {
    checkName('Network interface', name);
    if (input.ipConfigurations.length === 0) throw validationError('ipConfigurations: at least one IP configuration is required.');
    return inTransaction(this.db, async (tx) => {
      const group = await this.needGroup(tx, rg);
      const id = ids.networkInterfaceId(this.subscriptionId, rg, name);
      const configs: T.IpConfiguration[] = [];
      for (const [i, c] of input.ipConfigurations.entries()) {
        const subnet = await this.need<T.SubnetProps>(tx, c.subnetId, `ipConfigurations[${i}].subnet`);
        if (subnet.type !== ids.TYPES.subnet) throw validationError(`ipConfigurations[${i}].subnet.id must be a subnet (got ${subnet.type}).`);
        if (subnet.name.toLowerCase() === BASTION_SUBNET.toLowerCase()) throw validationError(`${BASTION_SUBNET} is reserved for the bastion: put network interface ${name} in another subnet.`);
        checkPrivateIp(c.privateIPAddress, subnet.name, subnet.properties.addressPrefix);
        const vnetId = subnet.id.slice(0, subnet.id.toLowerCase().lastIndexOf('/subnets/'));
        const clash = (await this.ipConfigsInVnet(tx, vnetId)).find((x) => x.config.properties.privateIPAddress === c.privateIPAddress && x.nic.id.toLowerCase() !== id.toLowerCase());
        if (clash) throw conflict(`privateIPAddress ${c.privateIPAddress} is already used by network interface ${clash.nic.name}.`);
        configs.push({ name: c.name ?? `ipconfig${i + 1}`, properties: { privateIPAddress: c.privateIPAddress, subnet: { id: subnet.id } } });
      }
      return repo.put<T.NetworkInterfaceProps>(tx, { id, name, type: ids.TYPES.networkInterface, resourceGroup: rg, location: group.location, tags: input.tags ?? {}, subscriptionId: this.subscriptionId, properties: { ipConfigurations: configs } });
    });
  }

  async putVirtualMachine(rg: string, name: string, input: T.VirtualMachineInput): Promise<Resource<T.VirtualMachineProps>> {
    checkName('Virtual machine', name);
    if (input.osType !== 'linux' && input.osType !== 'windows') throw validationError(`osType must be "linux" or "windows" (got ${JSON.stringify(input.osType)}).`);
    if (input.networkInterfaceIds.length === 0) throw validationError('networkProfile.networkInterfaces: a virtual machine needs at least one network interface.');
    return inTransaction(this.db, async (tx) => {
      const group = await this.needGroup(tx, rg);
      const id = ids.virtualMachineId(this.subscriptionId, rg, name);
      const nics: Array<{ id: string }> = [];
      for (const [i, nicId] of input.networkInterfaceIds.entries()) {
        const nic = await this.need(tx, nicId, `networkProfile.networkInterfaces[${i}]`);
        if (nic.type !== ids.TYPES.networkInterface) throw validationError(`networkProfile.networkInterfaces[${i}] must be a network interface (got ${nic.type}).`);
        const owner = await this.vmOfNic(tx, nic.id);
        if (owner && owner.id.toLowerCase() !== id.toLowerCase()) throw conflict(`Network interface ${nic.name} is already attached to virtual machine ${owner.name}.`);
        nics.push({ id: nic.id });
      }
      return repo.put<T.VirtualMachineProps>(tx, { id, name, type: ids.TYPES.virtualMachine, resourceGroup: rg, location: group.location, tags: input.tags ?? {}, subscriptionId: this.subscriptionId, properties: { osType: input.osType, networkProfile: { networkInterfaces: nics } } });
    });
  }

  async putBastionHost(rg: string, name: string, vnetId: string, tags: Record<string, string> = {}): Promise<Resource<T.BastionHostProps>> {
    checkName('Bastion', name);
    return inTransaction(this.db, async (tx) => {
      const group = await this.needGroup(tx, rg);
      const vnet = await this.need<T.VirtualNetworkProps>(tx, vnetId, 'virtualNetwork');
      if (vnet.type !== ids.TYPES.virtualNetwork) throw validationError(`virtualNetwork.id must be a virtual network (got ${vnet.type}).`);
      const subnets = await repo.list<T.SubnetProps>(tx, ids.TYPES.subnet, { parentId: vnet.id });
      if (!subnets.some((s) => s.name.toLowerCase() === BASTION_SUBNET.toLowerCase()))
        throw validationError(`Virtual network ${vnet.name} has no subnet named ${BASTION_SUBNET} (/26 or larger); add one before deploying a bastion.`);
      const id = ids.bastionHostId(this.subscriptionId, rg, name);
      const other = (await repo.list<T.BastionHostProps>(tx, ids.TYPES.bastionHost, { subscriptionId: this.subscriptionId })).find((b) => b.properties.virtualNetwork.id.toLowerCase() === vnet.id.toLowerCase() && b.id.toLowerCase() !== id.toLowerCase());
      if (other) throw conflict(`Virtual network ${vnet.name} already has bastion ${other.name}.`);
      return repo.put<T.BastionHostProps>(tx, { id, name, type: ids.TYPES.bastionHost, resourceGroup: rg, location: group.location, tags, subscriptionId: this.subscriptionId, properties: { virtualNetwork: { id: vnet.id } } });
    });
  }

  /** The Standard-tier switches of a bastion (design 0007), merged into its other properties. */
  setBastionFeatures(id: string, features: Partial<BastionFeatures>): Promise<void> {
    return setBastionFeatures(this.db, id, features);
  }

  /** A bastion's session limits (design 0005), merged into its other properties; omitted ones get defaults. */
  setBastionLimits(id: string, limits: Partial<BastionLimits>): Promise<void> {
    return setBastionLimits(this.db, id, limits);
  }

  /** Deletes a resource unless something still refers to it (Azure answers InUse* errors the same way). */
  delete(id: string): Promise<void> {
    return inTransaction(this.db, async (tx) => {
      const r = await this.need(tx, id, 'The resource', 'path');
      const refusal = await this.usedBy(tx, r);
      if (refusal) throw conflict(`${r.name} cannot be deleted: ${refusal}.`);
      if (r.type === ids.TYPES.virtualNetwork) for (const child of [...(await this.peeringsOf(tx, r.id)), ...(await repo.list(tx, ids.TYPES.subnet, { parentId: r.id }))]) await repo.delete(tx, child.id);
      // Peerings are made both ways: the remote networks' peerings back to this one go with it.
      if (r.type === ids.TYPES.virtualNetwork)
        for (const p of await repo.list<T.PeeringProps>(tx, ids.TYPES.peering)) if (p.properties.remoteVirtualNetwork.id.toLowerCase() === r.id.toLowerCase()) await repo.delete(tx, p.id);
      if (r.type === ids.TYPES.peering) {
        const remoteId = (r.properties as unknown as T.PeeringProps).remoteVirtualNetwork.id;
        const localVnetId = r.id.slice(0, r.id.toLowerCase().lastIndexOf('/virtualnetworkpeerings/'));
        for (const p of await this.peeringsOf(tx, remoteId)) if (p.properties.remoteVirtualNetwork.id.toLowerCase() === localVnetId.toLowerCase()) await repo.delete(tx, p.id);
      }
      await repo.delete(tx, r.id);
    });
  }

  private async usedBy(tx: Db, r: Resource): Promise<string | undefined> {
    switch (r.type) {
      case ids.TYPES.resourceGroup: {
        const n = await repo.countInGroup(tx, this.subscriptionId, r.name);
        return n > 0 ? `it still holds ${n} resource(s)` : undefined;
      }
      case ids.TYPES.subnet: {
        const [first] = await this.nicsInSubnet(tx, r.id);
        if (first) return `network interface ${first.nic.name} uses it`;
        if (r.name.toLowerCase() !== BASTION_SUBNET.toLowerCase()) return undefined;
        // A deployed bastion needs its AzureBastionSubnet (Azure answers InUseSubnetCannotBeDeleted).
        const vnetId = r.id.slice(0, r.id.toLowerCase().lastIndexOf('/subnets/')).toLowerCase();
        const bastion = (await repo.list<T.BastionHostProps>(tx, ids.TYPES.bastionHost)).find((b) => b.properties.virtualNetwork.id.toLowerCase() === vnetId);
        return bastion ? `bastion ${bastion.name} is deployed in its virtual network` : undefined;
      }
      case ids.TYPES.virtualNetwork: {
        const subnets = await repo.list(tx, ids.TYPES.subnet, { parentId: r.id });
        for (const s of subnets) {
          const [first] = await this.nicsInSubnet(tx, s.id);
          if (first) return `network interface ${first.nic.name} uses subnet ${s.name}`;
        }
        const bastion = (await repo.list<T.BastionHostProps>(tx, ids.TYPES.bastionHost)).find((b) => b.properties.virtualNetwork.id.toLowerCase() === r.id.toLowerCase());
        return bastion ? `bastion ${bastion.name} is deployed in it` : undefined;
      }
      case ids.TYPES.networkInterface: {
        const vm = await this.vmOfNic(tx, r.id);
        return vm ? `it is attached to virtual machine ${vm.name}` : undefined;
      }
      default:
        return undefined;
    }
  }

  async vmOfNic(db: Db | undefined, nicId: string): Promise<Resource<T.VirtualMachineProps> | undefined> {
    const vms = await repo.list<T.VirtualMachineProps>(db ?? this.db, ids.TYPES.virtualMachine);
    return vms.find((vm) => vm.properties.networkProfile.networkInterfaces.some((n) => n.id.toLowerCase() === nicId.toLowerCase()));
  }

  private async ipConfigsInVnet(db: Db, vnetId: string): Promise<Array<{ nic: Resource<T.NetworkInterfaceProps>; config: T.IpConfiguration }>> {
    const prefix = `${vnetId.toLowerCase()}/subnets/`;
    const nics = await repo.list<T.NetworkInterfaceProps>(db, ids.TYPES.networkInterface);
    return nics.flatMap((nic) => nic.properties.ipConfigurations.filter((c) => c.properties.subnet.id.toLowerCase().startsWith(prefix)).map((config) => ({ nic, config })));
  }

  private async nicsInSubnet(db: Db, subnetId: string) {
    const vnetId = subnetId.slice(0, subnetId.toLowerCase().lastIndexOf('/subnets/'));
    return (await this.ipConfigsInVnet(db, vnetId)).filter((x) => x.config.properties.subnet.id.toLowerCase() === subnetId.toLowerCase());
  }

  peeringsOf(db: Db, vnetId: string): Promise<Array<Resource<T.PeeringProps>>> {
    return repo.list<T.PeeringProps>(db, ids.TYPES.peering, { parentId: vnetId });
  }

  private async peersOf(db: Db, vnetId: string): Promise<Array<Resource<T.VirtualNetworkProps>>> {
    const out: Array<Resource<T.VirtualNetworkProps>> = [];
    for (const p of await this.peeringsOf(db, vnetId)) {
      const remote = await repo.get<T.VirtualNetworkProps>(db, p.properties.remoteVirtualNetwork.id);
      if (remote) out.push(remote);
    }
    return out;
  }
}
