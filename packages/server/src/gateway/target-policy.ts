import { BastionError, type ErrorCode } from '../errors.js';
import { bastionFeatures } from '../inventory/bastion-features.js';
import { CidrError, cidrContainsIp, isNetworkOrBroadcast, isReservedInSubnet, parseIpv4 } from '../inventory/cidr.js';
import * as ids from '../inventory/ids.js';
import { BASTION_SUBNET } from '../inventory/net-rules.js';
import type * as T from '../inventory/types.js';
import type { InventoryReader } from '../rbac/connect-check.js';
import { hostAddresses, onPremisesRangeProblem, specialRangeOf } from './target-policy-rules.js';

/**
 * What the bastion is about to dial, or to issue a ticket/token for (design 0003, "Target policy"):
 * - a registered VM: its primary NIC address, read from the inventory now; `issuedFor` is the address a
 *   ticket or token named (given at dial time: a NIC moved since the ticket is refused);
 * - an IP-based connection (design 0007): an address typed by the user, through a bastion with enableIpConnect.
 */
export type DialTarget = { vmId: string; bastionHostId: string | null; issuedFor?: string } | { bastionHostId: string; ip: string };

export type DialRefusal = { ok: false; status: 400 | 403 | 404; message: string };
export type DialDecision = { ok: true; host: string } | DialRefusal;

const STATUS_CODE: Record<DialRefusal['status'], ErrorCode> = { 400: 'BST_ERR_VALIDATION', 403: 'BST_ERR_FORBIDDEN', 404: 'BST_ERR_NOT_FOUND' };
/** The HTTP error of a refusal (for the routes that issue tickets and tokens). */
export const dialError = (d: DialRefusal): BastionError => new BastionError(STATUS_CODE[d.status], d.message);

/**
 * The one policy for every way the bastion dials (portal SSH, RDP, tunnels, shareable links, IP connect),
 * applied when the ticket/token is issued and again right before dialling. It reads the inventory itself
 * and trusts none of its validation (rows may be older than a rule, or edited): the address must be inside
 * the bastion's networks (its virtual network and Connected peerings; for IP connect also its on-premises
 * ranges), never a special range, this host's addresses, the AzureBastionSubnet, an address Azure reserves
 * in a subnet, or the network/broadcast address of an address space or on-premises range.
 */
export async function checkDialTarget(inventory: InventoryReader, target: DialTarget): Promise<DialDecision> {
  return 'vmId' in target ? checkVm(inventory, target) : checkIp(inventory, target);
}

/** The VM's primary NIC (first one) and its first private IP, as the Connect check reads them. */
async function primaryNicAddress(inventory: InventoryReader, vmId: string): Promise<string | undefined> {
  const vm = (await inventory.get(vmId)) as { properties: T.VirtualMachineProps } | undefined;
  const nicId = vm?.properties.networkProfile?.networkInterfaces?.[0]?.id;
  if (!nicId) return undefined;
  const nic = (await inventory.get(nicId)) as { properties: T.NetworkInterfaceProps } | undefined;
  return nic?.properties.ipConfigurations?.[0]?.properties.privateIPAddress;
}

async function checkVm(inventory: InventoryReader, t: { vmId: string; bastionHostId: string | null; issuedFor?: string }): Promise<DialDecision> {
  const name = ids.nameOf(t.vmId);
  const host = await primaryNicAddress(inventory, t.vmId);
  if (!host) return { ok: false, status: 404, message: `Virtual machine ${name} has no private IP address.` };
  if (t.issuedFor !== undefined && host !== t.issuedFor) return { ok: false, status: 403, message: `The private IP address of ${name} changed (${t.issuedFor} → ${host}): connect again.` };
  if (!t.bastionHostId) return { ok: false, status: 403, message: `No bastion can reach virtual machine ${name}.` };
  const reach = await reachOf(inventory, t.bastionHostId);
  if (!reach.ok) return reach;
  // A NIC sits in a virtual network: on-premises ranges are for IP-based connection only.
  return decide(host, { ...reach, onPremises: [] }, 403);
}

async function checkIp(inventory: InventoryReader, t: { bastionHostId: string; ip: string }): Promise<DialDecision> {
  const reach = await reachOf(inventory, t.bastionHostId);
  if (!reach.ok) return reach;
  const features = bastionFeatures(reach.bastion.properties);
  if (!features.enableIpConnect) return { ok: false, status: 403, message: `IP-based connection is not enabled on bastion ${reach.bastion.name} (setting enableIpConnect).` };
  return decide(t.ip, { ...reach, onPremises: features.onPremisesRanges }, 400);
}

interface Network {
  name: string;
  prefixes: string[];
  subnets: Array<{ name: string; prefix: string }>;
}

interface Reach {
  bastion: { name: string; properties: object };
  /** The bastion's own virtual network first, then the Connected peerings'. */
  networks: Network[];
  onPremises: string[];
}

async function networkOf(inventory: InventoryReader, vnetId: string): Promise<Network | undefined> {
  const vnet = await inventory.get(vnetId);
  if (!vnet || vnet.type !== ids.TYPES.virtualNetwork) return undefined;
  const subnets = await inventory.list<T.SubnetProps>(ids.TYPES.subnet, { parentId: vnet.id });
  const prefixes = (vnet.properties as Partial<T.VirtualNetworkProps>).addressSpace?.addressPrefixes ?? [];
  return { name: vnet.name, prefixes, subnets: subnets.map((s) => ({ name: s.name, prefix: s.properties.addressPrefix })) };
}

/** The networks the bastion reaches, read now (a peering disconnected since the ticket no longer counts). */
async function reachOf(inventory: InventoryReader, bastionHostId: string): Promise<(Omit<Reach, 'onPremises'> & { ok: true }) | DialRefusal> {
  const bastion = await inventory.get(bastionHostId);
  if (!bastion || bastion.type !== ids.TYPES.bastionHost) return { ok: false, status: 404, message: `Bastion ${ids.nameOf(bastionHostId)} was not found.` };
  const vnetId = (bastion.properties as Partial<T.BastionHostProps>).virtualNetwork?.id;
  const home = vnetId ? await networkOf(inventory, vnetId) : undefined;
  if (!vnetId || !home) return { ok: false, status: 404, message: `The virtual network of bastion ${bastion.name} was not found.` };
  const networks = [home];
  for (const p of await inventory.list<T.PeeringProps>(ids.TYPES.peering, { parentId: vnetId })) {
    if (p.properties.peeringState !== 'Connected') continue;
    const peer = await networkOf(inventory, p.properties.remoteVirtualNetwork.id);
    if (peer) networks.push(peer);
  }
  return { ok: true, bastion, networks };
}

/** Prefixes as stored may be malformed (edited rows): such a prefix contains nothing. */
const contains = (cidr: string, ip: number): boolean => {
  try {
    return cidrContainsIp(cidr, ip);
  } catch (err) {
    if (err instanceof CidrError) return false;
    throw err;
  }
};

/** The rules, in order; `badSyntax` is the status for an address that is not IPv4 (the user's typo, or a bad row). */
function decide(address: string, reach: Reach, badSyntax: 400 | 403): DialDecision {
  const refuse = (message: string): DialRefusal => ({ ok: false, status: 403, message });
  let ip: number;
  try {
    ip = parseIpv4(address);
  } catch (err) {
    if (err instanceof CidrError) return { ok: false, status: badSyntax, message: `${address} is not an IPv4 address.` };
    throw err;
  }
  const special = specialRangeOf(ip);
  if (special) return refuse(`The bastion does not connect to ${address}: ${special}.`);
  if (hostAddresses().includes(address)) return refuse(`The bastion does not connect to ${address}: it is one of the bastion's own addresses (an interface of this host).`);
  const [home] = reach.networks;
  const bastionSubnet = home?.subnets.find((s) => s.name.toLowerCase() === BASTION_SUBNET.toLowerCase());
  if (bastionSubnet && contains(bastionSubnet.prefix, ip))
    return refuse(`The bastion does not connect to ${address}: it is inside ${BASTION_SUBNET} (${bastionSubnet.prefix}), the bastion's own addresses.`);

  for (const net of reach.networks) {
    const space = net.prefixes.find((p) => contains(p, ip));
    if (!space) continue;
    const subnet = net.subnets.find((s) => contains(s.prefix, ip));
    if (subnet && isReservedInSubnet(ip, subnet.prefix))
      return refuse(`${address} is an address Azure reserves in subnet ${subnet.name} (${subnet.prefix}): network, gateway, DNS or broadcast.`);
    if (isNetworkOrBroadcast(ip, space)) return refuse(`${address} is the network or broadcast address of ${space}.`);
    return { ok: true, host: address };
  }
  // Ranges are validated where they are configured; one stored before that rule (a /0, say) is ignored here.
  for (const range of reach.onPremises) {
    if (onPremisesRangeProblem(range) || !contains(range, ip)) continue;
    if (isNetworkOrBroadcast(ip, range)) return refuse(`${address} is the network or broadcast address of on-premises range ${range}.`);
    return { ok: true, host: address };
  }
  const [first, ...peers] = reach.networks;
  return refuse(
    `${address} is outside the networks bastion ${reach.bastion.name} can reach (virtual network ${first?.name ?? '?'}${peers.length ? ' and its peered networks' : ''}${reach.onPremises.length ? ', and the on-premises ranges' : ''}).`,
  );
}
