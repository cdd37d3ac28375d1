import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { formatCidr, parseIpv4 } from '../inventory/cidr.js';
import * as ids from '../inventory/ids.js';
import type { Resource } from '../inventory/repository.js';
import type { InventoryReader } from '../rbac/connect-check.js';
import { checkDialTarget, type DialTarget } from './target-policy.js';
import { onPremisesRangeProblem } from './target-policy-rules.js';

/**
 * The target policy, rule by rule, on an inventory as stored — including rows no validation would accept
 * today (a VNet 127.0.0.0/16, a NIC in AzureBastionSubnet, an on-premises /0): the policy must not rely on
 * inventory validation. A hub network with the bastion, a Connected spoke, a peering still Initiated.
 */
const rg = '/subscriptions/s1/resourceGroups/rg';
const hub = `${rg}/providers/Microsoft.Network/virtualNetworks/hub`;
const spoke = `${rg}/providers/Microsoft.Network/virtualNetworks/spoke`;
const pending = `${rg}/providers/Microsoft.Network/virtualNetworks/pending`;
const loop = `${rg}/providers/Microsoft.Network/virtualNetworks/loop`;
const own = `${rg}/providers/Microsoft.Network/virtualNetworks/own`;
const bastionId = `${rg}/providers/Microsoft.Network/bastionHosts/bas`;
const loopBastion = `${rg}/providers/Microsoft.Network/bastionHosts/bas-loop`;
const ownBastion = `${rg}/providers/Microsoft.Network/bastionHosts/bas-own`;
const vmId = `${rg}/providers/Microsoft.Compute/virtualMachines/vm`;

/** A non-loopback IPv4 address of this host (the machine running the tests), if it has one. */
const hostIp = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
/** A /16 around it that no subnet covers, so nothing but the own-address rule can refuse it. */
const hostSpace = hostIp ? formatCidr({ network: (parseIpv4(hostIp) & 0xffff0000) >>> 0, prefixLength: 16 }) : '203.0.113.0/24';

function inventory(opts: { nicIp?: string | null; bastion?: object } = {}): InventoryReader {
  const r = (id: string, type: ids.InventoryType, properties: object, parent?: string): Resource & { parent?: string } => ({ id, name: ids.nameOf(id), type, resourceGroup: 'rg', location: null, tags: {}, properties, ...(parent ? { parent } : {}) });
  const nic = `${rg}/providers/Microsoft.Network/networkInterfaces/nic`;
  const all: Array<Resource & { parent?: string }> = [
    r(bastionId, ids.TYPES.bastionHost, { virtualNetwork: { id: hub }, ...opts.bastion }),
    r(loopBastion, ids.TYPES.bastionHost, { virtualNetwork: { id: loop }, ...opts.bastion }),
    r(ownBastion, ids.TYPES.bastionHost, { virtualNetwork: { id: own }, ...opts.bastion }),
    r(hub, ids.TYPES.virtualNetwork, { addressSpace: { addressPrefixes: ['10.1.0.0/16'] } }),
    r(spoke, ids.TYPES.virtualNetwork, { addressSpace: { addressPrefixes: ['10.2.0.0/16'] } }),
    r(pending, ids.TYPES.virtualNetwork, { addressSpace: { addressPrefixes: ['10.3.0.0/16'] } }),
    r(loop, ids.TYPES.virtualNetwork, { addressSpace: { addressPrefixes: ['127.0.0.0/16'] } }),
    r(own, ids.TYPES.virtualNetwork, { addressSpace: { addressPrefixes: [hostSpace] } }),
    r(`${hub}/subnets/AzureBastionSubnet`, ids.TYPES.subnet, { addressPrefix: '10.1.0.0/26' }, hub),
    r(`${hub}/subnets/vms`, ids.TYPES.subnet, { addressPrefix: '10.1.1.0/24' }, hub),
    r(`${spoke}/subnets/app`, ids.TYPES.subnet, { addressPrefix: '10.2.5.0/24' }, spoke),
    r(`${loop}/subnets/vms`, ids.TYPES.subnet, { addressPrefix: '127.0.1.0/24' }, loop),
    r(`${hub}/virtualNetworkPeerings/to-spoke`, ids.TYPES.peering, { remoteVirtualNetwork: { id: spoke }, peeringState: 'Connected' }, hub),
    r(`${hub}/virtualNetworkPeerings/to-pending`, ids.TYPES.peering, { remoteVirtualNetwork: { id: pending }, peeringState: 'Initiated' }, hub),
    r(vmId, ids.TYPES.virtualMachine, { osType: 'linux', networkProfile: { networkInterfaces: [{ id: nic }] } }),
    r(nic, ids.TYPES.networkInterface, { ipConfigurations: opts.nicIp === null ? [] : [{ name: 'ipconfig1', properties: { privateIPAddress: opts.nicIp ?? '10.1.1.20' } }] }),
  ];
  return {
    get: async (id) => all.find((x) => x.id.toLowerCase() === id.toLowerCase()),
    list: async <P>(type: ids.InventoryType, filter: { parentId?: string } = {}) => all.filter((x) => x.type === type && (!filter.parentId || x.parent?.toLowerCase() === filter.parentId.toLowerCase())) as unknown as Array<Resource<P>>,
  };
}

const vm = (nicIp: string, bastion = bastionId) => checkDialTarget(inventory({ nicIp }), { vmId, bastionHostId: bastion });
const refusal = (status: number, why: RegExp) => ({ ok: false, status, message: expect.stringMatching(why) });

describe('target policy: a registered VM', () => {
  it.each([
    ['10.1.1.20', 'in the bastion network'],
    ['10.2.5.9', 'in a Connected peering'],
    ['10.1.200.7', 'in the address space outside any subnet'],
  ])('dials %s (%s)', async (ip) => {
    expect(await vm(ip)).toEqual({ ok: true, host: ip });
  });

  it.each([
    ['127.0.1.4', loopBastion, /loopback/],
    ['127.0.0.1', bastionId, /loopback/],
    ['169.254.169.254', bastionId, /link-local/],
    ['0.0.0.5', bastionId, /this network/],
    ['224.0.0.1', bastionId, /multicast/],
    ['255.255.255.255', bastionId, /broadcast/],
    ['10.1.0.4', bastionId, /AzureBastionSubnet.*bastion's own addresses/],
    ['10.1.1.0', bastionId, /reserves in subnet vms/],
    ['10.1.1.1', bastionId, /reserves/],
    ['10.1.1.3', bastionId, /reserves/],
    ['10.1.1.255', bastionId, /reserves/],
    ['10.1.255.255', bastionId, /network or broadcast address of 10.1.0.0\/16/],
    ['10.3.0.9', bastionId, /outside the networks/],
    ['192.168.10.44', bastionId, /outside the networks/],
    ['10.1.1', bastionId, /not an IPv4 address/],
  ])('refuses a NIC at %s', async (ip, bastion, why) => {
    expect(await vm(ip, bastion)).toEqual(refusal(403, why));
  });

  it.skipIf(!hostIp)("refuses a NIC at one of this host's own addresses", async () => {
    expect(await vm(hostIp!, ownBastion)).toEqual(refusal(403, /bastion's own addresses/));
  });

  it('refuses a NIC that moved since the ticket, and what cannot be reached at all', async () => {
    const moved: DialTarget = { vmId, bastionHostId: bastionId, issuedFor: '10.1.1.20' };
    expect(await checkDialTarget(inventory({ nicIp: '10.1.1.21' }), moved)).toEqual(refusal(403, /changed \(10\.1\.1\.20 → 10\.1\.1\.21\)/));
    expect(await checkDialTarget(inventory({ nicIp: '10.1.1.20' }), moved)).toEqual({ ok: true, host: '10.1.1.20' });
    expect(await checkDialTarget(inventory({ nicIp: null }), { vmId, bastionHostId: bastionId })).toEqual(refusal(404, /no private IP/));
    expect(await checkDialTarget(inventory(), { vmId: `${vmId}x`, bastionHostId: bastionId })).toEqual(refusal(404, /no private IP/));
    expect(await checkDialTarget(inventory(), { vmId, bastionHostId: null })).toEqual(refusal(403, /No bastion/));
    expect(await checkDialTarget(inventory(), { vmId, bastionHostId: `${bastionId}x` })).toEqual(refusal(404, /not found/));
  });

  it("does not use the bastion's on-premises ranges for a VM's NIC", async () => {
    const d = await checkDialTarget(inventory({ nicIp: '192.168.10.44', bastion: { enableIpConnect: true, onPremisesRanges: ['192.168.10.0/24'] } }), { vmId, bastionHostId: bastionId });
    expect(d).toEqual(refusal(403, /outside/));
  });
});

describe('target policy: IP-based connection', () => {
  const on = (onPremisesRanges: string[] = ['192.168.10.0/24']) => inventory({ bastion: { enableIpConnect: true, onPremisesRanges } });
  const ip = (address: string, inv = on(), bastion = bastionId) => checkDialTarget(inv, { bastionHostId: bastion, ip: address });

  it.each([['10.1.1.20'], ['10.2.5.9'], ['192.168.10.44'], ['192.168.10.1']])('allows %s', async (address) => {
    expect(await ip(address)).toEqual({ ok: true, host: address });
  });

  it.each([
    ['127.0.0.1', /loopback/],
    ['169.254.169.254', /link-local/],
    ['10.1.0.4', /AzureBastionSubnet/],
    ['10.1.1.2', /reserves/],
    ['10.1.255.255', /broadcast/],
    ['192.168.10.0', /network or broadcast address of on-premises range 192\.168\.10\.0\/24/],
    ['192.168.10.255', /network or broadcast address of on-premises range/],
    ['8.8.8.8', /outside the networks/],
  ])('refuses %s', async (address, why) => {
    expect(await ip(address)).toEqual(refusal(403, why));
  });

  it('ignores a stored on-premises range that configuration would refuse today (/0, /1, /7, loopback)', async () => {
    for (const range of ['0.0.0.0/0', '0.0.0.0/1', '8.0.0.0/7'])
      expect(await ip('8.8.8.8', on([range])), range).toEqual(refusal(403, /outside the networks/));
    expect(await ip('127.0.0.1', on(['127.0.0.0/8']))).toEqual(refusal(403, /loopback/));
    expect(await ip('8.8.8.8', on(['8.0.0.0/8']))).toEqual({ ok: true, host: '8.8.8.8' });
  });

  it('needs enableIpConnect, an IPv4 address and an existing bastion', async () => {
    expect(await ip('10.1.1.20', inventory())).toEqual(refusal(403, /enableIpConnect/));
    expect(await ip('10.1.1')).toEqual(refusal(400, /not an IPv4/));
    expect(await ip('example.com')).toEqual(refusal(400, /not an IPv4/));
    expect(await ip('10.1.1.20', on(), `${bastionId}x`)).toEqual(refusal(404, /not found/));
  });

  it.skipIf(!hostIp)("refuses this host's own addresses even inside the bastion's network", async () => {
    expect(await ip(hostIp!, on(), ownBastion)).toEqual(refusal(403, /bastion's own addresses/));
  });
});

describe('on-premises ranges (configuration)', () => {
  it.each([
    ['0.0.0.0/0', /wider than \/8/],
    ['0.0.0.0/1', /wider than \/8/],
    ['128.0.0.0/1', /wider than \/8/],
    ['10.0.0.0/7', /wider than \/8/],
    ['127.0.0.0/8', /loopback/],
    ['169.254.0.0/16', /link-local/],
    ['224.0.0.0/8', /multicast/],
    ['0.0.0.0/8', /this network/],
    ['192.168.10.1/24', /not a network address/],
    ['300.1.1.0/24', /greater than 255/],
  ])('refuses %s', (range, why) => {
    expect(onPremisesRangeProblem(range)).toMatch(why);
  });

  it.each([['10.0.0.0/8'], ['172.16.0.0/12'], ['192.168.10.0/24'], ['192.168.10.7/32']])('accepts %s', (range) => {
    expect(onPremisesRangeProblem(range)).toBeUndefined();
  });
});
