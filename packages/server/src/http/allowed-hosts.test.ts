import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BastionConfig } from '../config/index.js';
import { hostNameOf } from './plugins/allowed-hosts.js';
import { as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Issue #12, finding 9: the Host header decided the CSRF origin list, the RDP proxy URL and shareable-link
 * URLs. Now only the bastion's own names are answered (421 otherwise), and generated URLs use
 * server.publicUrl when it is set.
 */
const SUB = 'sub-host';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-h`;
const vmId = `${rg}/providers/Microsoft.Compute/virtualMachines/vm-h`;
const bastionId = `${rg}/providers/Microsoft.Network/bastionHosts/bas-h`;
const inventory: BastionConfig['inventory'] = {
  subscription: { id: SUB },
  resourceGroups: [{ name: 'rg-h' }],
  virtualNetworks: [{ name: 'vnet-h', resourceGroup: 'rg-h', addressSpace: ['10.74.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.74.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.74.1.0/24' }] }],
  virtualMachines: [{ name: 'vm-h', resourceGroup: 'rg-h', osType: 'linux', nics: [{ name: 'nic-h', virtualNetwork: 'vnet-h', subnet: 'snet-vms', privateIpAddress: '10.74.1.4' }] }],
  bastionHosts: [{ name: 'bas-h', resourceGroup: 'rg-h', virtualNetwork: 'vnet-h', enableShareableLink: true }],
};

const code = (body: string): string | undefined => (JSON.parse(body) as { error?: { code?: string } }).error?.code;

describe('hostNameOf', () => {
  it.each([
    ['localhost:8443', 'localhost'],
    ['Bastion.Example.COM', 'bastion.example.com'],
    ['[::1]:8443', '[::1]'],
    ['10.1.2.3', '10.1.2.3'],
  ])('%s → %s', (host, name) => expect(hostNameOf(host)).toBe(name));

  it.each(['', 'user@localhost', 'localhost/x', 'localhost:8443:1', 'local host', 'localhost:99999x', '[::1'])('refuses %j', (host) => expect(hostNameOf(host)).toBeUndefined());
});

describe('without server.publicUrl', () => {
  let b: TestBastion;
  let admin: Session;
  beforeAll(async () => {
    b = await createTestBastion({ inventory });
    admin = await signInAsReadyAdmin(b);
  });
  afterAll(async () => b?.dispose());

  it("answers the machine's own names: localhost, loopback addresses and its host name", async () => {
    for (const host of ['localhost:8443', '127.0.0.1:8443', '[::1]:8443', `${hostname()}:8443`, 'LOCALHOST']) {
      const res = await b.app.inject({ url: '/healthz', headers: { host } });
      expect(res.statusCode, `${host}: ${res.body}`).toBe(200);
    }
  });

  it('refuses any other Host with 421 before anything else runs, signed in or not', async () => {
    for (const host of ['evil.example', 'evil.example:8443', 'localhost.evil.example', 'user@localhost', '127.0.0.1.nip.io']) {
      const anon = await b.app.inject({ url: '/api/users', headers: { host } });
      expect({ host, status: anon.statusCode, code: code(anon.body) }).toEqual({ host, status: 421, code: 'BST_ERR_UNKNOWN_HOST' });
      const signedIn = await as(b.app, admin, { method: 'POST', url: '/api/groups', payload: { name: 'rebound' }, headers: { host, origin: `https://${host}` } });
      expect(signedIn.statusCode).toBe(421);
    }
    expect((await as(b.app, admin, { url: '/api/groups/rebound' })).statusCode).toBe(404);
  });

  it("builds shareable-link and RDP proxy URLs from the request's (checked) Host", async () => {
    const links = await as(b.app, admin, { method: 'POST', url: `/api${bastionId}/createShareableLinks`, payload: { vms: [{ vm: { id: vmId } }] }, headers: { host: '127.0.0.1:8443' } });
    expect(links.statusCode, links.body).toBe(200);
    expect((links.json() as { value: Array<{ bsl: string }> }).value[0]!.bsl).toMatch(/^https:\/\/127\.0\.0\.1:8443\/share\/[A-Za-z0-9_-]{43}$/);
    const rdp = await as(b.app, admin, { method: 'POST', url: `/api${vmId}/bastionRdp`, payload: {}, headers: { host: 'localhost:8443' } });
    expect(rdp.statusCode, rdp.body).toBe(201);
    expect((rdp.json() as { proxyUrl: string }).proxyUrl).toMatch(/^wss:\/\/localhost:8443\//);
  });
});

describe('with server.publicUrl and allowedHosts', () => {
  let b: TestBastion;
  let admin: Session;
  const PUBLIC = 'https://bastion.example.com';
  beforeAll(async () => {
    b = await createTestBastion({ inventory, server: { host: '127.0.0.1', port: 8443, trustProxy: false, publicUrl: PUBLIC, allowedHosts: ['lb-probe.internal', 'localhost'] } });
    admin = await signInAsReadyAdmin(b);
  });
  afterAll(async () => b?.dispose());

  it('answers only the public host name and the listed ones; the machine names no longer count', async () => {
    for (const host of ['bastion.example.com', 'bastion.example.com:443', 'lb-probe.internal:8443', 'localhost:80']) expect((await b.app.inject({ url: '/healthz', headers: { host } })).statusCode, host).toBe(200);
    for (const host of ['127.0.0.1:8443', `${hostname()}:8443`, 'evil.example']) expect((await b.app.inject({ url: '/healthz', headers: { host } })).statusCode, host).toBe(421);
  });

  it('accepts the public origin on state-changing requests and hands out URLs on it, whatever Host was used', async () => {
    const made = await as(b.app, admin, { method: 'POST', url: '/api/groups', payload: { name: 'via-public' }, headers: { host: 'localhost:80', origin: PUBLIC } });
    expect(made.statusCode, made.body).toBe(201);
    const links = await as(b.app, admin, { method: 'POST', url: `/api${bastionId}/createShareableLinks`, payload: { vms: [{ vm: { id: vmId } }] }, headers: { host: 'localhost:80' } });
    expect((links.json() as { value: Array<{ bsl: string }> }).value[0]!.bsl.startsWith(`${PUBLIC}/share/`)).toBe(true);
    const rdp = await as(b.app, admin, { method: 'POST', url: `/api${vmId}/bastionRdp`, payload: {}, headers: { host: 'lb-probe.internal' } });
    expect((rdp.json() as { proxyUrl: string }).proxyUrl).toBe('wss://bastion.example.com/api/rdp/relay');
  });
});
