import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * The ARM-shaped inventory through the HTTP API, as an administrator: the happy path a user follows to
 * put a VM behind a bastion, then the mistakes they can make and the 4xx answers naming the bad value.
 * The tests run in order and build on each other's resources.
 */
let b: TestBastion;
let admin: Session;

const errorOf = (res: LightMyRequestResponse) => (res.json() as { error: { code: string; message: string; statusCode: number } }).error;
const expectError = (res: LightMyRequestResponse, status: number, code: string, ...fragments: string[]): void => {
  expect({ status: res.statusCode, code: errorOf(res).code }, res.body).toEqual({ status, code });
  expect(errorOf(res).statusCode).toBe(status);
  for (const f of fragments) expect(errorOf(res).message).toContain(f);
};

const sub = () => `/api/subscriptions/${b.subscriptionId}`;
const rg = (name = 'rg-test') => `${sub()}/resourceGroups/${name}`;
const vnetUrl = (name = 'vnet-test', group = 'rg-test') => `${rg(group)}/providers/Microsoft.Network/virtualNetworks/${name}`;
const nicUrl = (name: string, group = 'rg-test') => `${rg(group)}/providers/Microsoft.Network/networkInterfaces/${name}`;
const vmUrl = (name: string, group = 'rg-test') => `${rg(group)}/providers/Microsoft.Compute/virtualMachines/${name}`;
const bastionUrl = (name: string, group = 'rg-test') => `${rg(group)}/providers/Microsoft.Network/bastionHosts/${name}`;
/** Resource IDs are the URL paths after /api. */
const idOf = (url: string) => url.slice('/api'.length);

const call = (opts: InjectOptions) => as(b.app, admin, opts);
const put = (url: string, payload: unknown) => call({ method: 'PUT', url, payload: payload as InjectOptions['payload'] });
const get = (url: string) => call({ url });
const del = (url: string) => call({ method: 'DELETE', url });

const vnetBody = (prefixes: string[], subnets: Array<[string, string]>) => ({
  properties: { addressSpace: { addressPrefixes: prefixes }, subnets: subnets.map(([name, addressPrefix]) => ({ name, properties: { addressPrefix } })) },
});
const nicBody = (ip: string, subnetId: string) => ({ properties: { ipConfigurations: [{ name: 'ipconfig1', properties: { privateIPAddress: ip, subnet: { id: subnetId } } }] } });
const vmBody = (nicIds: string[], osType = 'linux') => ({ tags: { role: 'ssh' }, properties: { osType, networkProfile: { networkInterfaces: nicIds.map((id) => ({ id })) } } });

beforeAll(async () => {
  b = await createTestBastion();
  admin = await signInAsReadyAdmin(b);
});
afterAll(async () => {
  await b?.dispose();
});

describe('putting a VM behind a bastion', () => {
  it('creates a resource group', async () => {
    const res = await put(rg(), { location: 'westeurope', tags: { env: 'test' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: idOf(rg()), name: 'rg-test', type: 'Microsoft.Resources/resourceGroups', location: 'westeurope', tags: { env: 'test' } });
    const list = await get(`${sub()}/resourceGroups`);
    expect((list.json() as { value: Array<{ name: string }> }).value.map((r) => r.name)).toEqual(['rg-test']);
    // PUT is create-or-update.
    expect((await put(rg(), { location: 'westeurope', tags: { env: 'test', owner: 'me' } })).json()).toMatchObject({ tags: { env: 'test', owner: 'me' } });
  });

  it('creates a virtual network with an AzureBastionSubnet /26 and a VM subnet', async () => {
    const res = await put(vnetUrl(), vnetBody(['10.90.0.0/16'], [['AzureBastionSubnet', '10.90.0.0/26'], ['snet-vms', '10.90.1.0/24']]));
    expect(res.statusCode, res.body).toBe(200);
    const vnet = res.json() as { id: string; type: string; location: string; properties: { addressSpace: { addressPrefixes: string[] }; subnets: Array<{ id: string; name: string; properties: { addressPrefix: string } }> } };
    expect(vnet).toMatchObject({ id: idOf(vnetUrl()), type: 'Microsoft.Network/virtualNetworks', location: 'westeurope' });
    expect(vnet.properties.addressSpace.addressPrefixes).toEqual(['10.90.0.0/16']);
    expect(vnet.properties.subnets.map((s) => [s.name, s.properties.addressPrefix]).sort()).toEqual([
      ['AzureBastionSubnet', '10.90.0.0/26'],
      ['snet-vms', '10.90.1.0/24'],
    ]);
    expect(vnet.properties.subnets.find((s) => s.name === 'snet-vms')?.id).toBe(`${idOf(vnetUrl())}/subnets/snet-vms`);
    const subnet = await get(`${vnetUrl()}/subnets/snet-vms`);
    expect(subnet.statusCode).toBe(200);
    expect(subnet.json()).toMatchObject({ name: 'snet-vms', type: 'Microsoft.Network/virtualNetworks/subnets', properties: { addressPrefix: '10.90.1.0/24' } });
  });

  it('creates a network interface, a VM using it and a bastion; the VM list shows the private IP', async () => {
    const subnetId = `${idOf(vnetUrl())}/subnets/snet-vms`;
    const nic = await put(nicUrl('nic-1'), nicBody('10.90.1.4', subnetId));
    expect(nic.statusCode, nic.body).toBe(200);
    expect(nic.json()).toMatchObject({ id: idOf(nicUrl('nic-1')), type: 'Microsoft.Network/networkInterfaces', properties: { ipConfigurations: [{ name: 'ipconfig1', properties: { privateIPAddress: '10.90.1.4', subnet: { id: subnetId } } }] } });

    const vm = await put(vmUrl('vm-1'), vmBody([idOf(nicUrl('nic-1'))]));
    expect(vm.statusCode, vm.body).toBe(200);
    expect(vm.json()).toMatchObject({ id: idOf(vmUrl('vm-1')), name: 'vm-1', type: 'Microsoft.Compute/virtualMachines', resourceGroup: 'rg-test', tags: { role: 'ssh' }, properties: { osType: 'linux', privateIPAddress: '10.90.1.4' } });

    const bastion = await put(bastionUrl('bastion-1'), { properties: { virtualNetwork: { id: idOf(vnetUrl()) } } });
    expect(bastion.statusCode, bastion.body).toBe(200);
    expect(bastion.json()).toMatchObject({ id: idOf(bastionUrl('bastion-1')), type: 'Microsoft.Network/bastionHosts', properties: { virtualNetwork: { id: idOf(vnetUrl()) } } });

    const vms = await get(`${sub()}/providers/Microsoft.Compute/virtualMachines`);
    expect(vms.statusCode).toBe(200);
    expect((vms.json() as { value: unknown[] }).value).toEqual([expect.objectContaining({ name: 'vm-1', properties: expect.objectContaining({ privateIPAddress: '10.90.1.4', osType: 'linux' }) })]);
    // The same in the resource group's list, and from a single GET; the NIC names its VM.
    expect((await get(`${rg()}/providers/Microsoft.Compute/virtualMachines`)).json()).toEqual(vms.json());
    expect((await get(vmUrl('vm-1'))).json()).toMatchObject({ properties: { privateIPAddress: '10.90.1.4' } });
    expect((await get(nicUrl('nic-1'))).json()).toMatchObject({ properties: { virtualMachine: { id: idOf(vmUrl('vm-1')) } } });
    const hosts = await get(`${sub()}/providers/Microsoft.Network/bastionHosts`);
    expect((hosts.json() as { value: Array<{ name: string }> }).value.map((h) => h.name)).toEqual(['bastion-1']);
    const audit = (await get('/api/audit?type=resource.written')).json() as { value: Array<{ target: string; actor: string }> };
    expect(audit.value).toContainEqual(expect.objectContaining({ actor: 'admin', target: idOf(vmUrl('vm-1')) }));
  });

  it('peers two networks both ways', async () => {
    expect((await put(vnetUrl('vnet-peer'), vnetBody(['10.91.0.0/16'], [['snet-a', '10.91.0.0/24']]))).statusCode).toBe(200);
    const peering = await put(`${vnetUrl()}/virtualNetworkPeerings/to-peer`, { properties: { remoteVirtualNetwork: { id: idOf(vnetUrl('vnet-peer')) } } });
    expect(peering.statusCode, peering.body).toBe(200);
    expect(peering.json()).toMatchObject({ name: 'to-peer', type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings', properties: { remoteVirtualNetwork: { id: idOf(vnetUrl('vnet-peer')) } } });
    const remote = (await get(vnetUrl('vnet-peer'))).json() as { properties: { virtualNetworkPeerings: Array<{ properties: { remoteVirtualNetwork: { id: string } } }> } };
    expect(remote.properties.virtualNetworkPeerings.map((p) => p.properties.remoteVirtualNetwork.id)).toEqual([idOf(vnetUrl())]);
  });
});

describe('mistakes get a clear 4xx naming the value', () => {
  const snetVms = () => `${idOf(vnetUrl())}/subnets/snet-vms`;

  it('refuses a private IP outside its subnet', async () => {
    const res = await put(nicUrl('nic-outside'), nicBody('10.91.0.4', snetVms()));
    expectError(res, 400, 'BST_ERR_VALIDATION', 'privateIPAddress 10.91.0.4 is not inside subnet snet-vms (10.90.1.0/24)');
    expectError(await put(nicUrl('nic-reserved'), nicBody('10.90.1.1', snetVms())), 400, 'BST_ERR_VALIDATION', '10.90.1.1', 'reserved');
    expectError(await put(nicUrl('nic-garbage'), nicBody('10.90.1.300', snetVms())), 400, 'BST_ERR_VALIDATION', '10.90.1.300');
    expectError(await put(nicUrl('nic-taken'), nicBody('10.90.1.4', snetVms())), 409, 'BST_ERR_CONFLICT', '10.90.1.4', 'nic-1');
    expectError(await put(nicUrl('nic-in-bastion-subnet'), nicBody('10.90.0.10', `${idOf(vnetUrl())}/subnets/AzureBastionSubnet`)), 400, 'BST_ERR_VALIDATION', 'AzureBastionSubnet');
    expect((await get(nicUrl('nic-outside'))).statusCode).toBe(404);
  });

  it('refuses a bad CIDR', async () => {
    expectError(await put(vnetUrl('vnet-bad'), vnetBody(['10.300.0.0/16'], [])), 400, 'BST_ERR_VALIDATION', '10.300.0.0/16');
    expectError(await put(vnetUrl('vnet-bad'), vnetBody(['10.0.0.0/33'], [])), 400, 'BST_ERR_VALIDATION', '10.0.0.0/33');
    expectError(await put(vnetUrl('vnet-bad'), vnetBody(['10.0.0.1/16'], [])), 400, 'BST_ERR_VALIDATION', '10.0.0.1/16', 'did you mean 10.0.0.0/16');
    expectError(await put(vnetUrl('vnet-bad'), vnetBody(['10.20.0.0/16'], [['snet', 'nonsense']])), 400, 'BST_ERR_VALIDATION', 'nonsense');
    expect((await get(vnetUrl('vnet-bad'))).statusCode).toBe(404);
  });

  it('refuses overlapping address prefixes and subnets', async () => {
    expectError(await put(vnetUrl('vnet-overlap'), vnetBody(['10.30.0.0/16', '10.30.128.0/17'], [])), 400, 'BST_ERR_VALIDATION', '10.30.0.0/16', '10.30.128.0/17', 'overlaps');
    expectError(await put(vnetUrl('vnet-overlap'), vnetBody(['10.30.0.0/16'], [['a', '10.30.0.0/24'], ['b', '10.30.0.128/25']])), 400, 'BST_ERR_VALIDATION', '10.30.0.128/25', 'overlaps');
    expectError(await put(vnetUrl('vnet-overlap'), vnetBody(['10.30.0.0/16'], [['a', '10.31.0.0/24']])), 400, 'BST_ERR_VALIDATION', '10.31.0.0/24', '10.30.0.0/16');
    // A peered network cannot grow into its peer's space.
    expectError(await put(vnetUrl('vnet-peer'), vnetBody(['10.91.0.0/16', '10.90.5.0/24'], [])), 400, 'BST_ERR_VALIDATION', '10.90.5.0/24', 'overlaps');
    expectError(await put(`${vnetUrl()}/subnets/snet-clash`, { properties: { addressPrefix: '10.90.1.128/25' } }), 400, 'BST_ERR_VALIDATION', 'snet-clash', 'snet-vms');
  });

  it('refuses an AzureBastionSubnet smaller than /26', async () => {
    const res = await put(vnetUrl('vnet-small'), vnetBody(['10.40.0.0/16'], [['AzureBastionSubnet', '10.40.0.0/27']]));
    expectError(res, 400, 'BST_ERR_VALIDATION', '/26 or larger', '10.40.0.0/27');
    // A bastion needs that subnet.
    expect((await put(vnetUrl('vnet-nobastion'), vnetBody(['10.41.0.0/16'], [['snet', '10.41.0.0/24']]))).statusCode).toBe(200);
    expectError(await put(bastionUrl('bastion-2'), { properties: { virtualNetwork: { id: idOf(vnetUrl('vnet-nobastion')) } } }), 400, 'BST_ERR_VALIDATION', 'vnet-nobastion', 'AzureBastionSubnet');
    expectError(await put(bastionUrl('bastion-3'), { properties: { virtualNetwork: { id: idOf(vnetUrl()) } } }), 409, 'BST_ERR_CONFLICT', 'bastion-1');
  });

  it('refuses references to resources that do not exist', async () => {
    const missingNic = idOf(nicUrl('nic-missing'));
    expectError(await put(vmUrl('vm-2'), vmBody([missingNic])), 400, 'BST_ERR_VALIDATION', 'networkProfile.networkInterfaces[0]', missingNic);
    expectError(await put(vmUrl('vm-2'), vmBody([idOf(nicUrl('nic-1'))])), 409, 'BST_ERR_CONFLICT', 'nic-1', 'vm-1');
    expectError(await put(vmUrl('vm-2'), vmBody([idOf(vnetUrl())])), 400, 'BST_ERR_VALIDATION', 'must be a network interface');
    expectError(await put(nicUrl('nic-2'), nicBody('10.90.1.5', `${idOf(vnetUrl())}/subnets/snet-missing`)), 400, 'BST_ERR_VALIDATION', 'snet-missing');
    expectError(await put(bastionUrl('bastion-4'), { properties: { virtualNetwork: { id: idOf(vnetUrl('vnet-missing')) } } }), 400, 'BST_ERR_VALIDATION', 'vnet-missing');
  });

  it('answers 404 for an unknown resource group or network in the path', async () => {
    expectError(await put(vnetUrl('vnet-x', 'rg-missing'), vnetBody(['10.60.0.0/16'], [])), 404, 'BST_ERR_NOT_FOUND', 'rg-missing');
    expectError(await put(nicUrl('nic-x', 'rg-missing'), nicBody('10.90.1.6', snetVms())), 404, 'BST_ERR_NOT_FOUND', 'rg-missing');
    expectError(await put(vmUrl('vm-x', 'rg-missing'), vmBody([idOf(nicUrl('nic-1'))])), 404, 'BST_ERR_NOT_FOUND', 'rg-missing');
    expectError(await put(`${vnetUrl('vnet-missing')}/subnets/s`, { properties: { addressPrefix: '10.70.0.0/24' } }), 404, 'BST_ERR_NOT_FOUND', 'vnet-missing');
    expectError(await put(`${sub().replace(b.subscriptionId, 'other-sub')}/resourceGroups/rg`, {}), 404, 'BST_ERR_NOT_FOUND', 'other-sub');
  });

  it('answers 404 for a GET or DELETE of a missing resource', async () => {
    for (const url of [rg('rg-missing'), vnetUrl('vnet-missing'), `${vnetUrl()}/subnets/snet-missing`, nicUrl('nic-missing'), vmUrl('vm-missing'), bastionUrl('bastion-missing'), `${vnetUrl()}/virtualNetworkPeerings/p-missing`]) {
      expectError(await get(url), 404, 'BST_ERR_NOT_FOUND', idOf(url));
      expectError(await del(url), 404, 'BST_ERR_NOT_FOUND');
    }
  });

  it('refuses bodies with unknown properties, wrong types or that are not JSON', async () => {
    const typo = await put(vmUrl('vm-3'), { properties: { osType: 'linux', networkProfile: { networkInterfaces: [] }, osTpye: 'x' } });
    expectError(typo, 400, 'BST_ERR_VALIDATION', 'osTpye');
    expectError(await put(rg('rg-extra'), { location: 'x', colour: 'blue' }), 400, 'BST_ERR_VALIDATION', 'colour');
    expectError(await put(nicUrl('nic-extra'), { properties: { ipConfigurations: [{ properties: { privateIPAddress: '10.90.1.7', subnet: { id: snetVms() }, primary: true } }] } }), 400, 'BST_ERR_VALIDATION', 'primary');
    expect((await get(rg('rg-extra'))).statusCode).toBe(404);
    expectError(await put(vmUrl('vm-3'), vmBody([idOf(nicUrl('nic-1'))], 'macos')), 400, 'BST_ERR_VALIDATION', 'OS type must be one of: linux, windows');
    expectError(await put(vnetUrl('vnet-empty'), vnetBody([], [])), 400, 'BST_ERR_VALIDATION', 'Address prefixes must hold at least 1 entry');
    expectError(await put(vnetUrl('vnet-no-props'), {}), 400, 'BST_ERR_VALIDATION', 'Properties is required');
    expectError(await call({ method: 'PUT', url: rg('rg-json'), headers: { 'content-type': 'application/json' }, payload: '{"location": "x",' }), 400, 'BST_ERR_BAD_JSON', 'not valid JSON');
    expectError(await put(rg('bad name!'), {}), 400, 'BST_ERR_VALIDATION', 'bad name!');
    expectError(await put(rg('x'.repeat(81)), {}), 400, 'BST_ERR_VALIDATION');
  });

  it('refuses to delete what is still in use (409) and deletes in the right order', async () => {
    expectError(await del(`${vnetUrl()}/subnets/snet-vms`), 409, 'BST_ERR_CONFLICT', 'snet-vms', 'nic-1');
    expectError(await del(`${vnetUrl()}/subnets/AzureBastionSubnet`), 409, 'BST_ERR_CONFLICT', 'bastion-1');
    expectError(await del(nicUrl('nic-1')), 409, 'BST_ERR_CONFLICT', 'vm-1');
    expectError(await del(vnetUrl()), 409, 'BST_ERR_CONFLICT');
    expectError(await del(rg()), 409, 'BST_ERR_CONFLICT', 'rg-test');
    // Shrinking the subnet under a NIC is refused as well.
    expectError(await put(`${vnetUrl()}/subnets/snet-vms`, { properties: { addressPrefix: '10.90.1.128/25' } }), 400, 'BST_ERR_VALIDATION', '10.90.1.4', 'nic-1');

    expect((await del(vmUrl('vm-1'))).statusCode).toBe(204);
    expect((await del(nicUrl('nic-1'))).statusCode).toBe(204);
    expect((await del(`${vnetUrl()}/subnets/snet-vms`)).statusCode).toBe(204);
    expect((await del(bastionUrl('bastion-1'))).statusCode).toBe(204);
    expect((await del(vnetUrl())).statusCode).toBe(204);
    // The peer's peering back went with the network.
    const peer = (await get(vnetUrl('vnet-peer'))).json() as { properties: { virtualNetworkPeerings: unknown[] } };
    expect(peer.properties.virtualNetworkPeerings).toEqual([]);
    expect((await get(vmUrl('vm-1'))).statusCode).toBe(404);
    expect((await get(`${sub()}/providers/Microsoft.Compute/virtualMachines`)).json()).toEqual({ value: [] });
    const audit = (await get('/api/audit?type=resource.deleted')).json() as { value: Array<{ target: string }> };
    expect(audit.value.map((e) => e.target)).toContain(idOf(vmUrl('vm-1')));
  });
});
