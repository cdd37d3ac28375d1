import * as ids from '../../inventory/ids.js';
import { CidrError, cidrContainsIp, parseIpv4 } from '../../inventory/cidr.js';
import type { InventoryReader } from '../../rbac/connect-check.js';
import type * as T from '../../inventory/types.js';

export type DialDecision = { ok: true; host: string } | { ok: false; status: 403 | 404; message: string };

/** Addresses no VM NIC may have, whatever the inventory says: the relay must never dial these. */
const FORBIDDEN_RANGES = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '240.0.0.0/4'];

/** The VM's primary NIC (first one) and its first private IP, as the Connect check reads them. */
export async function primaryNicAddress(inventory: InventoryReader, vmId: string): Promise<string | undefined> {
  const vm = (await inventory.get(vmId)) as { properties: T.VirtualMachineProps } | undefined;
  const nicId = vm?.properties.networkProfile?.networkInterfaces?.[0]?.id;
  if (!nicId) return undefined;
  const nic = (await inventory.get(nicId)) as { properties: T.NetworkInterfaceProps } | undefined;
  return nic?.properties.ipConfigurations?.[0]?.properties.privateIPAddress;
}

/** Address prefixes the bastion can reach: its own network's and those of networks peered with it. */
async function reachablePrefixes(inventory: InventoryReader, bastionHostId: string): Promise<string[]> {
  const bastion = (await inventory.get(bastionHostId)) as { properties: T.BastionHostProps } | undefined;
  const vnetId = bastion?.properties.virtualNetwork.id;
  if (!vnetId) return [];
  const vnets = [vnetId];
  for (const p of await inventory.list<T.PeeringProps>(ids.TYPES.peering, { parentId: vnetId }))
    if (p.properties.peeringState === 'Connected') vnets.push(p.properties.remoteVirtualNetwork.id);
  const prefixes: string[] = [];
  for (const id of vnets) {
    const vnet = (await inventory.get(id)) as { properties: T.VirtualNetworkProps } | undefined;
    prefixes.push(...(vnet?.properties.addressSpace.addressPrefixes ?? []));
  }
  return prefixes;
}

/**
 * Where the relay may dial for `vmId` (design 0004, "Dial policy"): only the VM's registered NIC address,
 * read again now (not the token's copy, which may be stale), only if it equals the address the token was
 * issued for, and only inside the address space of the bastion that the Connect check chose (or a network
 * peered with it). Loopback, link-local, multicast and "this network" are refused whatever the inventory says.
 */
export async function checkDialTarget(inventory: InventoryReader, vmId: string, bastionHostId: string | null, expectedHost: string): Promise<DialDecision> {
  const host = await primaryNicAddress(inventory, vmId);
  if (!host) return { ok: false, status: 404, message: `Virtual machine ${ids.nameOf(vmId)} has no private IP address any more.` };
  if (host !== expectedHost) return { ok: false, status: 403, message: `The private IP address of ${ids.nameOf(vmId)} changed (${expectedHost} → ${host}): connect again.` };
  let ip: number;
  try {
    ip = parseIpv4(host);
  } catch (err) {
    if (err instanceof CidrError) return { ok: false, status: 403, message: `The VM's address ${host} is not an IPv4 address.` };
    throw err;
  }
  if (FORBIDDEN_RANGES.some((r) => cidrContainsIp(r, ip))) return { ok: false, status: 403, message: `The relay does not connect to ${host} (loopback, link-local or reserved address).` };
  if (!bastionHostId) return { ok: false, status: 403, message: `No bastion can reach virtual machine ${ids.nameOf(vmId)}.` };
  const prefixes = await reachablePrefixes(inventory, bastionHostId);
  if (!prefixes.some((p) => cidrContainsIp(p, ip)))
    return { ok: false, status: 403, message: `${host} is outside the address space of bastion ${ids.nameOf(bastionHostId)}'s network and its peered networks.` };
  return { ok: true, host };
}
