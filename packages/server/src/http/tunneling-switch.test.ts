import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Azure's "Native client support" (`enableTunneling`) per bastion, through inject(): read from the config
 * file, shown by GET, set by the ARM PUT (omitted: on), and a tunnel through a bastion with it off refused
 * with 403 before any upgrade, for a VM and for IP-based connection alike.
 */
const SUB = 'sub-tunneling';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-t`;
const vmId = `${rg}/providers/Microsoft.Compute/virtualMachines/vm-t`;
const bastionId = `${rg}/providers/Microsoft.Network/bastionHosts/bas-t`;
const vnetId = `${rg}/providers/Microsoft.Network/virtualNetworks/vnet-t`;

let b: TestBastion;
let admin: Session;
let token: string;

beforeAll(async () => {
  b = await createTestBastion({
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-t' }],
      virtualNetworks: [{ name: 'vnet-t', resourceGroup: 'rg-t', addressSpace: ['10.73.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.73.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.73.1.0/24' }] }],
      virtualMachines: [{ name: 'vm-t', resourceGroup: 'rg-t', osType: 'linux', nics: [{ name: 'nic-t', virtualNetwork: 'vnet-t', subnet: 'snet-vms', privateIpAddress: '10.73.1.4' }] }],
      bastionHosts: [{ name: 'bas-t', resourceGroup: 'rg-t', virtualNetwork: 'vnet-t', enableIpConnect: true, enableTunneling: false, enableSessionRecording: false }],
    },
  });
  admin = await signInAsReadyAdmin(b);
  token = ((await b.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username: 'admin', password: 'Admin-Test-Pass-1' } })).json() as { token: string }).token;
});

afterAll(async () => {
  await b?.dispose();
});

const tunnel = (query: string) => b.app.inject({ method: 'GET', url: `/api/tunnel?${query}`, headers: { authorization: `Bearer ${token}` } });
const put = (properties: object) => as(b.app, admin, { method: 'PUT', url: `/api${bastionId}`, payload: { properties: { virtualNetwork: { id: vnetId }, ...properties } } });
const properties = async () => ((await as(b.app, admin, { method: 'GET', url: `/api${bastionId}` })).json() as { properties: object }).properties;

describe('enableTunneling', () => {
  it('off (from the config file): VM and IP tunnels are refused with 403 naming the bastion and the setting', async () => {
    expect(await properties()).toMatchObject({ enableTunneling: false, enableSessionRecording: false });
    const vm = await tunnel(`vm=${encodeURIComponent(vmId)}&port=22`);
    expect(vm.statusCode).toBe(403);
    expect(vm.body).toContain('bas-t');
    expect(vm.body).toContain('enableTunneling');
    const ip = await tunnel(`bastion=${encodeURIComponent(bastionId)}&ip=10.73.1.9&port=22`);
    expect(ip.statusCode).toBe(403);
    expect(ip.body).toContain('enableTunneling');
  });

  it('a PUT without the two settings turns both on (this bastion’s default); the tunnel is then not refused for it', async () => {
    const res = await put({ enableIpConnect: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(await properties()).toMatchObject({ enableTunneling: true, enableSessionRecording: true });
    // The policy now refuses loopback instead: the switch no longer stops the tunnel.
    const ip = await tunnel(`bastion=${encodeURIComponent(bastionId)}&ip=127.0.0.1&port=22`);
    expect(ip.statusCode).toBe(403);
    expect(ip.body).toContain('loopback');
    expect(ip.body).not.toContain('enableTunneling');
    const off = await put({ enableTunneling: false, enableSessionRecording: false });
    expect(await properties()).toMatchObject({ enableTunneling: false, enableSessionRecording: false });
    expect(off.statusCode).toBe(200);
    expect((await tunnel(`bastion=${encodeURIComponent(bastionId)}&ip=127.0.0.1&port=22`)).body).toContain('enableTunneling');
  });
});
