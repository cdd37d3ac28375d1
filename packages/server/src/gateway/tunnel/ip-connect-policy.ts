import { networkInterfaces } from 'node:os';
import { CidrError, cidrContainsIp, isReservedInSubnet, parseCidr, parseIpv4 } from '../../inventory/cidr.js';
import * as ids from '../../inventory/ids.js';
import { BASTION_SUBNET } from '../../inventory/net-rules.js';
import type * as T from '../../inventory/types.js';
import type { InventoryReader } from '../../rbac/connect-check.js';
import { bastionFeatures } from '../../inventory/bastion-features.js';

export type IpDialDecision = { ok: true; host: string } | { ok: false; status: 400 | 403 | 404; message: string };

/** Never dialled, whatever the networks say: "this network", loopback, link-local (the cloud metadata
 * address 169.254.169.254 among them), multicast, reserved and broadcast. */
const FORBIDDEN = [
  { cidr: '0.0.0.0/8', what: '"this network" (0.0.0.0/8)' },
  { cidr: '127.0.0.0/8', what: 'loopback' },
  { cidr: '169.254.0.0/16', what: 'link-local (169.254.0.0/16, the metadata service among them)' },
  { cidr: '224.0.0.0/4', what: 'multicast' },
  { cidr: '240.0.0.0/4', what: 'reserved or broadcast' },
];

/** This host's own IPv4 addresses (any interface): the bastion never tunnels to itself. */
function ownAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address));
}

interface Network {
  name: string;
  prefixes: string[];
  subnets: Array<{ name: string; prefix: string }>;
}

async function networkOf(inventory: InventoryReader, vnetId: string): Promise<Network | undefined> {
  const vnet = await inventory.get(vnetId);
  if (!vnet) return undefined;
  const subnets = await inventory.list<T.SubnetProps>(ids.TYPES.subnet, { parentId: vnet.id });
  return { name: ids.nameOf(vnet.id), prefixes: (vnet.properties as T.VirtualNetworkProps).addressSpace.addressPrefixes, subnets: subnets.map((s) => ({ name: s.name, prefix: s.properties.addressPrefix })) };
}

/**
 * Where IP-based connection may dial (design 0007): an IPv4 address inside the bastion's network, a network
 * peered with it (Connected), or a configured on-premises range; never a forbidden range, never the
 * bastion's own subnet (AzureBastionSubnet) or this host's addresses, never an address Azure reserves in a
 * subnet (network, first three hosts, broadcast). Requires the bastion's `enableIpConnect`.
 */
export async function checkIpTarget(inventory: InventoryReader, bastionHostId: string, address: string): Promise<IpDialDecision> {
  let ip: number;
  try {
    ip = parseIpv4(address);
  } catch (err) {
    if (err instanceof CidrError) return { ok: false, status: 400, message: `${address} is not an IPv4 address.` };
    throw err;
  }
  const bastion = await inventory.get(bastionHostId);
  if (!bastion || bastion.type !== ids.TYPES.bastionHost) return { ok: false, status: 404, message: `Bastion ${ids.nameOf(bastionHostId)} was not found.` };
  const features = bastionFeatures(bastion.properties);
  if (!features.enableIpConnect) return { ok: false, status: 403, message: `IP-based connection is not enabled on bastion ${bastion.name} (setting enableIpConnect).` };
  const forbidden = FORBIDDEN.find((f) => cidrContainsIp(f.cidr, ip));
  if (forbidden) return { ok: false, status: 403, message: `The bastion does not connect to ${address}: ${forbidden.what}.` };
  if (ownAddresses().includes(address)) return { ok: false, status: 403, message: `The bastion does not connect to ${address}: it is one of the bastion's own addresses.` };

  const home = await networkOf(inventory, (bastion.properties as T.BastionHostProps).virtualNetwork.id);
  if (!home) return { ok: false, status: 404, message: `The virtual network of bastion ${bastion.name} was not found.` };
  const networks = [home];
  const vnetId = (bastion.properties as T.BastionHostProps).virtualNetwork.id;
  for (const p of await inventory.list<T.PeeringProps>(ids.TYPES.peering, { parentId: vnetId })) {
    if (p.properties.peeringState !== 'Connected') continue;
    const peer = await networkOf(inventory, p.properties.remoteVirtualNetwork.id);
    if (peer) networks.push(peer);
  }
  const bastionSubnet = home.subnets.find((s) => s.name.toLowerCase() === BASTION_SUBNET.toLowerCase());
  if (bastionSubnet && cidrContainsIp(bastionSubnet.prefix, ip))
    return { ok: false, status: 403, message: `The bastion does not connect to ${address}: it is inside ${BASTION_SUBNET} (${bastionSubnet.prefix}), the bastion's own addresses.` };

  for (const net of networks) {
    if (!net.prefixes.some((p) => cidrContainsIp(p, ip))) continue;
    const subnet = net.subnets.find((s) => cidrContainsIp(s.prefix, ip));
    if (subnet && isReservedInSubnet(ip, subnet.prefix))
      return { ok: false, status: 403, message: `${address} is an address Azure reserves in subnet ${subnet.name} (${subnet.prefix}): network, gateway, DNS or broadcast.` };
    const space = net.prefixes.find((p) => cidrContainsIp(p, ip))!;
    const c = parseCidr(space);
    const broadcast = (c.network + 2 ** (32 - c.prefixLength) - 1) >>> 0;
    if (ip === c.network || ip === broadcast) return { ok: false, status: 403, message: `${address} is the network or broadcast address of ${space}.` };
    return { ok: true, host: address };
  }
  if (features.onPremisesRanges.some((r) => cidrContainsIp(r, ip))) return { ok: true, host: address };
  return {
    ok: false,
    status: 403,
    message: `${address} is outside the networks bastion ${bastion.name} can reach (virtual network ${home.name}${networks.length > 1 ? ' and its peered networks' : ''}${features.onPremisesRanges.length ? ', and the on-premises ranges' : ''}).`,
  };
}
