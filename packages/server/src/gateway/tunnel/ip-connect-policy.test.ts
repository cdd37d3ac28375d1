import { describe, expect, it } from 'vitest';
import * as ids from '../../inventory/ids.js';
import type { Resource } from '../../inventory/repository.js';
import type { InventoryReader } from '../../rbac/connect-check.js';
import { checkIpTarget } from './ip-connect-policy.js';

/** A hub network with a bastion, peered (Connected) with a spoke; one on-premises range. */
const rg = '/subscriptions/s1/resourceGroups/rg';
const hub = `${rg}/providers/Microsoft.Network/virtualNetworks/hub`;
const spoke = `${rg}/providers/Microsoft.Network/virtualNetworks/spoke`;
const lonely = `${rg}/providers/Microsoft.Network/virtualNetworks/lonely`;
const bastionId = `${rg}/providers/Microsoft.Network/bastionHosts/bas`;

function inventory(bastionProps: object): InventoryReader {
  const r = (id: string, type: ids.InventoryType, properties: object): Resource => ({ id, name: ids.nameOf(id), type, resourceGroup: 'rg', location: null, tags: {}, properties });
  const all: Array<Resource & { parent?: string }> = [
    r(bastionId, ids.TYPES.bastionHost, { virtualNetwork: { id: hub }, ...bastionProps }),
    r(hub, ids.TYPES.virtualNetwork, { addressSpace: { addressPrefixes: ['10.1.0.0/16'] } }),
    r(spoke, ids.TYPES.virtualNetwork, { addressSpace: { addressPrefixes: ['10.2.0.0/16'] } }),
    r(lonely, ids.TYPES.virtualNetwork, { addressSpace: { addressPrefixes: ['10.3.0.0/16'] } }),
    { ...r(`${hub}/subnets/AzureBastionSubnet`, ids.TYPES.subnet, { addressPrefix: '10.1.0.0/26' }), parent: hub },
    { ...r(`${hub}/subnets/vms`, ids.TYPES.subnet, { addressPrefix: '10.1.1.0/24' }), parent: hub },
    { ...r(`${spoke}/subnets/app`, ids.TYPES.subnet, { addressPrefix: '10.2.5.0/24' }), parent: spoke },
    { ...r(`${hub}/virtualNetworkPeerings/to-spoke`, ids.TYPES.peering, { remoteVirtualNetwork: { id: spoke }, peeringState: 'Connected' }), parent: hub },
  ];
  return {
    get: async (id) => all.find((x) => x.id.toLowerCase() === id.toLowerCase()),
    list: async <P>(type: ids.InventoryType, filter: { parentId?: string } = {}) => all.filter((x) => x.type === type && (!filter.parentId || x.parent?.toLowerCase() === filter.parentId.toLowerCase())) as unknown as Array<Resource<P>>,
  };
}

const on = inventory({ enableIpConnect: true, onPremisesRanges: ['192.168.10.0/24'] });

describe('IP-based connection policy', () => {
  it.each([
    ['10.1.1.20', 'the bastion network'],
    ['10.2.5.9', 'a peered network'],
    ['10.1.200.7', 'the address space outside any subnet'],
    ['192.168.10.44', 'an on-premises range'],
  ])('allows %s (%s)', async (ip) => {
    expect(await checkIpTarget(on, bastionId, ip)).toEqual({ ok: true, host: ip });
  });

  it.each([
    ['127.0.0.1', /loopback/],
    ['169.254.169.254', /link-local/],
    ['0.0.0.0', /this network/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['10.1.0.4', /AzureBastionSubnet/],
    ['10.1.1.0', /reserves/],
    ['10.1.1.1', /reserves/],
    ['10.1.1.3', /reserves/],
    ['10.1.1.255', /reserves/],
    ['10.1.255.255', /broadcast/],
    ['10.3.0.9', /outside the networks/],
    ['8.8.8.8', /outside the networks/],
  ])('refuses %s', async (ip, why) => {
    const d = await checkIpTarget(on, bastionId, ip);
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.status).toBe(403);
      expect(d.message).toMatch(why);
    }
  });

  it('refuses everything while enableIpConnect is off, and what is not an IPv4 address', async () => {
    const off = await checkIpTarget(inventory({}), bastionId, '10.1.1.20');
    expect(off).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('enableIpConnect') });
    expect(await checkIpTarget(on, bastionId, '10.1.1')).toMatchObject({ ok: false, status: 400 });
    expect(await checkIpTarget(on, bastionId, 'example.com')).toMatchObject({ ok: false, status: 400 });
  });

  it("refuses this host's own addresses even inside a network", async () => {
    const d = await checkIpTarget(inventory({ enableIpConnect: true, onPremisesRanges: ['127.0.0.0/8'] }), bastionId, '127.0.0.1');
    expect(d.ok).toBe(false);
  });
});
