import { parseResourceId, ResourceIdError } from '../../../protocol/src/resource-id.js';
import * as ids from '../inventory/ids.js';
import type { Resource } from '../inventory/repository.js';
import type * as T from '../inventory/types.js';
import { ACTIONS } from './actions.js';
import type { GrantSet } from './grants.js';

/** The inventory reads the Connect check needs; InventoryService provides them. */
export interface InventoryReader {
  get(id: string): Promise<Resource<object> | undefined>;
  list<P = Record<string, unknown>>(type: ids.InventoryType, filter?: { resourceGroup?: string; parentId?: string }): Promise<Array<Resource<P>>>;
}

/** One role the user lacks for Connect, with the message the portal shows. */
export interface MissingRole {
  role: 'Reader';
  resourceId: string;
  resourceType: ids.InventoryType;
  /** The first missing action on this resource; `actions` lists all of them. */
  action: string;
  actions: string[];
  /** "You need Reader on networkInterfaces/web01-nic". */
  message: string;
}

export interface ConnectCheckResult {
  allowed: boolean;
  missing: MissingRole[];
  /** The bastion the VM is reached through (null when none can reach it, or when the VM is not readable). */
  bastionHostId: string | null;
  /** True when that bastion sits in a network peered with the VM's. */
  viaPeering: boolean;
  /** One sentence: what Connect would use, or why it cannot. */
  reason: string;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const shortType = (type: string): string => type.slice(type.lastIndexOf('/') + 1);
const vnetOfSubnet = (subnetId: string): string => subnetId.slice(0, subnetId.toLowerCase().lastIndexOf('/subnets/'));

/**
 * Azure Bastion's Connect rule, evaluated against one GrantSet (the per-call cache):
 * read on the VM; read on its primary NIC and on that NIC's ipconfigurations; read on the bastion that
 * reaches the VM (deployed in the VM's network, or in a network peered with it); and, through peering,
 * read on the VM's network too. When the VM itself is not readable, only that is reported: nothing
 * about its NIC or network is revealed to someone who may not see the VM.
 */
export async function connectCheck(grants: GrantSet, inventory: InventoryReader, vmId: string): Promise<ConnectCheckResult> {
  const missing: MissingRole[] = [];
  const lacking = (resourceId: string, resourceType: ids.InventoryType, actions: string[]): MissingRole[] => {
    const absent = actions.filter((a) => !grants.allows(a, resourceId));
    const [first] = absent;
    if (first === undefined) return [];
    const message = `You need Reader on ${shortType(resourceType)}/${ids.nameOf(resourceId)}`;
    return [{ role: 'Reader', resourceId, resourceType, action: first, actions: absent, message }];
  };
  const need = (resourceId: string, resourceType: ids.InventoryType, actions: string[]): void => {
    missing.push(...lacking(resourceId, resourceType, actions));
  };
  const result = (bastion: Resource | undefined, viaPeering: boolean, reason: string): ConnectCheckResult => {
    const allowed = missing.length === 0 && bastion !== undefined;
    const why = allowed ? reason : [...missing.map((m) => `${m.message}.`), ...(bastion || !reason ? [] : [reason])].join(' ');
    return { allowed, missing, bastionHostId: bastion?.id ?? null, viaPeering, reason: why };
  };

  try {
    if (parseResourceId(vmId).type !== ids.TYPES.virtualMachine) return result(undefined, false, `${vmId} is not a virtual machine ID.`);
  } catch (err) {
    if (err instanceof ResourceIdError) return result(undefined, false, err.message);
    throw err;
  }
  need(vmId, ids.TYPES.virtualMachine, [ACTIONS.virtualMachines.read]);
  if (missing.length > 0) return result(undefined, false, '');
  const vm = (await inventory.get(vmId)) as Resource<T.VirtualMachineProps> | undefined;
  if (!vm || vm.type !== ids.TYPES.virtualMachine) return result(undefined, false, `Virtual machine ${ids.nameOf(vmId)} was not found.`);

  const nicRef = vm.properties.networkProfile.networkInterfaces[0];
  const nic = nicRef ? ((await inventory.get(nicRef.id)) as Resource<T.NetworkInterfaceProps> | undefined) : undefined;
  if (!nic) return result(undefined, false, `Virtual machine ${vm.name} has no network interface, so no bastion can reach it.`);
  need(nic.id, ids.TYPES.networkInterface, [ACTIONS.networkInterfaces.read, ACTIONS.ipConfigurations.read]);
  const subnetId = nic.properties.ipConfigurations[0]?.properties.subnet.id;
  if (!subnetId) return result(undefined, false, `Network interface ${nic.name} has no IP configuration, so no bastion can reach virtual machine ${vm.name}.`);
  const vnetId = vnetOfSubnet(subnetId);

  const bastions = await inventory.list<T.BastionHostProps>(ids.TYPES.bastionHost);
  const local = bastions.find((b) => same(b.properties.virtualNetwork.id, vnetId));
  const peeredVnets = (await inventory.list<T.PeeringProps>(ids.TYPES.peering, { parentId: vnetId }))
    .filter((p) => p.properties.peeringState === 'Connected')
    .map((p) => p.properties.remoteVirtualNetwork.id.toLowerCase());
  const peered = bastions.filter((b) => peeredVnets.includes(b.properties.virtualNetwork.id.toLowerCase()));
  const candidates = [...(local ? [{ bastion: local, viaPeering: false }] : []), ...peered.map((bastion) => ({ bastion, viaPeering: true }))];
  if (candidates.length === 0)
    return result(undefined, false, `No bastion can reach virtual machine ${vm.name}: deploy one in virtual network ${ids.nameOf(vnetId)} or in a network peered with it.`);

  // Any reachable bastion the user may use will do; when none is usable, report against the preferred one.
  const bastionNeeds = (c: (typeof candidates)[number]): MissingRole[] => [
    ...lacking(c.bastion.id, ids.TYPES.bastionHost, [ACTIONS.bastionHosts.read]),
    ...(c.viaPeering ? lacking(vnetId, ids.TYPES.virtualNetwork, [ACTIONS.virtualNetworks.read]) : []),
  ];
  const chosen = candidates.find((c) => bastionNeeds(c).length === 0) ?? candidates[0]!;
  missing.push(...bastionNeeds(chosen));
  const via = chosen.viaPeering ? ` in peered virtual network ${ids.nameOf(chosen.bastion.properties.virtualNetwork.id)}` : '';
  return result(chosen.bastion, chosen.viaPeering, `Connect to ${vm.name} through bastion ${chosen.bastion.name}${via}.`);
}
