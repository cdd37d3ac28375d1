import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * The target policy on every path that issues a ticket or token (design 0003, "Target policy"), through
 * inject(): portal SSH, RDP, tunnel, shareable link, IP connect, and where on-premises ranges are configured.
 * The inventory is first declared with valid addresses, then its stored rows are edited as an attacker who
 * may write the database (or an inventory older than a rule) would leave them: validation never sees them.
 * Dial-time re-checks with a real sshd and RDP server: test/integration/target-policy.test.ts.
 */
const SUB = 'sub-policy';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-p`;
const net = (name: string) => `${rg}/providers/Microsoft.Network/virtualNetworks/${name}`;
const vmId = (name: string) => `${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
const nicId = (name: string) => `${rg}/providers/Microsoft.Network/networkInterfaces/${name}-nic`;
const bastionT = `${rg}/providers/Microsoft.Network/bastionHosts/bas-t`;
const bastionLoop = `${rg}/providers/Microsoft.Network/bastionHosts/bas-loop`;
const LOOPBACK_NIC = '127.0.1.4';

const vm = (name: string, vnet: string, ip: string) => ({ name, resourceGroup: 'rg-p', osType: 'linux' as const, nics: [{ name: `${name}-nic`, virtualNetwork: vnet, subnet: 'snet-vms', privateIpAddress: ip }] });
const vnet = (name: string, second: number) => ({ name, resourceGroup: 'rg-p', addressSpace: [`10.${second}.0.0/16`], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: `10.${second}.0.0/26` }, { name: 'snet-vms', addressPrefix: `10.${second}.1.0/24` }] });
const inventory = (onPremisesRanges: string[] = ['192.168.60.0/24']) => ({
  subscription: { id: SUB },
  resourceGroups: [{ name: 'rg-p' }],
  virtualNetworks: [vnet('vnet-t', 74), vnet('vnet-loop', 75)],
  virtualMachines: [vm('vm-t', 'vnet-t', '10.74.1.4'), vm('vm-own', 'vnet-t', '10.74.1.5'), vm('vm-loop', 'vnet-loop', '10.75.1.4')],
  bastionHosts: [
    { name: 'bas-t', resourceGroup: 'rg-p', virtualNetwork: 'vnet-t', enableShareableLink: true, enableIpConnect: true, onPremisesRanges },
    { name: 'bas-loop', resourceGroup: 'rg-p', virtualNetwork: 'vnet-loop', enableShareableLink: true },
  ],
});

let b: TestBastion;
let admin: Session;
/** Where vm-loop's NIC points after the edit: counts every TCP connection it receives. */
let listener: Server;
let listenerPort: number;
let accepted = 0;

/** Rewrites a stored resource's properties, as a direct database edit would (no validation runs). */
async function editStored(id: string, edit: (properties: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const row = await b.store.db.selectFrom('resources').select('properties').where('id_key', '=', id.toLowerCase()).executeTakeFirstOrThrow();
  const properties = JSON.stringify(edit(JSON.parse(row.properties) as Record<string, unknown>));
  await b.store.db.updateTable('resources').set({ properties }).where('id_key', '=', id.toLowerCase()).execute();
}
const nicAt = (ip: string) => (p: Record<string, unknown>) => ({ ...p, ipConfigurations: (p.ipConfigurations as Array<{ properties: object }>).map((c) => ({ ...c, properties: { ...c.properties, privateIPAddress: ip } })) });

beforeAll(async () => {
  b = await createTestBastion({ inventory: inventory() });
  admin = await signInAsReadyAdmin(b);
  // The finding: a VNet 127.0.0.0/16 with a NIC 127.0.1.4 (its bastion in the same network).
  await editStored(net('vnet-loop'), (p) => ({ ...p, addressSpace: { addressPrefixes: ['127.0.0.0/16'] } }));
  await editStored(`${net('vnet-loop')}/subnets/AzureBastionSubnet`, (p) => ({ ...p, addressPrefix: '127.0.0.0/26' }));
  await editStored(`${net('vnet-loop')}/subnets/snet-vms`, (p) => ({ ...p, addressPrefix: '127.0.1.0/24' }));
  await editStored(nicId('vm-loop'), nicAt(LOOPBACK_NIC));
  // A NIC inside AzureBastionSubnet: the bastion's own addresses.
  await editStored(nicId('vm-own'), nicAt('10.74.0.10'));
  listener = createServer((socket) => {
    accepted += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, LOOPBACK_NIC, resolve));
  listenerPort = (listener.address() as { port: number }).port;
});

afterAll(async () => {
  listener?.close();
  await b?.dispose();
});

const post = (url: string, payload: object) => as(b.app, admin, { method: 'POST', url: `/api${url}`, payload });
const sshBody = (port = 22) => ({ username: 'u', port, auth: { type: 'password', password: 'p' } });
const expectRefused = (res: { statusCode: number; body: string }, why: RegExp) => {
  expect(res.statusCode, res.body).toBe(403);
  expect((JSON.parse(res.body) as { error: { message: string } }).error.message).toMatch(why);
};

describe('portal SSH (POST …/bastionSsh)', () => {
  it('issues a ticket for a VM inside the bastion network', async () => {
    expect((await post(`${vmId('vm-t')}/bastionSsh`, sshBody())).statusCode).toBe(201);
  });

  it('refuses a VM whose NIC is at loopback (VNet 127.0.0.0/16, NIC 127.0.1.4): nothing is dialled', async () => {
    expectRefused(await post(`${vmId('vm-loop')}/bastionSsh`, sshBody(listenerPort)), /loopback/);
    expect(accepted).toBe(0);
  });

  it("refuses a VM whose NIC is one of the bastion's own addresses (AzureBastionSubnet)", async () => {
    expectRefused(await post(`${vmId('vm-own')}/bastionSsh`, sshBody()), /AzureBastionSubnet.*bastion's own addresses/);
  });
});

describe('RDP (POST …/bastionRdp)', () => {
  it('issues a token for a VM inside the bastion network, refuses loopback and the bastion\'s own addresses', async () => {
    expect((await post(`${vmId('vm-t')}/bastionRdp`, {})).statusCode).toBe(201);
    expectRefused(await post(`${vmId('vm-loop')}/bastionRdp`, { port: listenerPort }), /loopback/);
    expectRefused(await post(`${vmId('vm-own')}/bastionRdp`, {}), /bastion's own addresses/);
    expect(accepted).toBe(0);
  });
});

describe('tunnel (GET /api/tunnel), refused before the upgrade', () => {
  let token: string;
  beforeAll(async () => {
    token = ((await b.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username: 'admin', password: ADMIN_PASSWORD } })).json() as { token: string }).token;
  });
  const tunnel = (query: string) => b.app.inject({ url: `/api/tunnel?${query}`, headers: { authorization: `Bearer ${token}` } });

  it("refuses a VM at loopback or at the bastion's own addresses", async () => {
    expectRefused(await tunnel(`vm=${encodeURIComponent(vmId('vm-loop'))}&port=${listenerPort}`), /loopback/);
    expectRefused(await tunnel(`vm=${encodeURIComponent(vmId('vm-own'))}&port=22`), /bastion's own addresses/);
    expect(accepted).toBe(0);
  });

  it('refuses the network and broadcast addresses of an on-premises range', async () => {
    for (const ip of ['192.168.60.0', '192.168.60.255'])
      expectRefused(await tunnel(`bastion=${encodeURIComponent(bastionT)}&ip=${ip}&port=22`), /network or broadcast address of on-premises range 192\.168\.60\.0\/24/);
  });
});

describe('shareable links (POST /api/share/:secret/ssh)', () => {
  const linkTo = async (bastion: string, vm: string): Promise<string> => {
    const res = await post(`${bastion}/createShareableLinks`, { vms: [{ vm: { id: vmId(vm) } }] });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { value: Array<{ bsl: string }> }).value[0]!.bsl.split('/share/')[1]!;
  };
  const visit = (secret: string, port = 22) => b.app.inject({ method: 'POST', url: `/api/share/${secret}/ssh`, payload: sshBody(port) });

  it("gives a visitor a ticket for a VM inside the network, never for loopback or the bastion's own addresses", async () => {
    expect((await visit(await linkTo(bastionT, 'vm-t'))).statusCode).toBe(201);
    expectRefused(await visit(await linkTo(bastionLoop, 'vm-loop'), listenerPort), /loopback/);
    expectRefused(await visit(await linkTo(bastionT, 'vm-own')), /bastion's own addresses/);
    expect(accepted).toBe(0);
  });
});

describe('IP-based connection and on-premises ranges', () => {
  const ipTicket = (targetIp: string) => post(`${bastionT}/bastionSsh`, { targetIp, ...sshBody() });
  const put = (onPremisesRanges: string[]) =>
    as(b.app, admin, { method: 'PUT', url: `/api${bastionT}`, payload: { properties: { virtualNetwork: { id: net('vnet-t') }, enableIpConnect: true, enableShareableLink: true, onPremisesRanges } } });

  it('accepts an address inside a valid range; refuses its network and broadcast addresses', async () => {
    expect((await ipTicket('192.168.60.7')).statusCode).toBe(201);
    expectRefused(await ipTicket('192.168.60.0'), /network or broadcast address of on-premises range/);
    expectRefused(await ipTicket('192.168.60.255'), /network or broadcast address of on-premises range/);
  });

  it.each([['0.0.0.0/0'], ['0.0.0.0/1'], ['128.0.0.0/1'], ['8.0.0.0/7'], ['127.0.0.0/8'], ['169.254.0.0/16']])('the ARM PUT refuses the range %s', async (range) => {
    const res = await put(['192.168.60.0/24', range]);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).toContain('onPremisesRanges[1]');
  });

  it('the configuration file refuses a /0 range at start', async () => {
    await expect(createTestBastion({ inventory: inventory(['0.0.0.0/0']) })).rejects.toThrow(/bastionHosts\[bas-t\].*onPremisesRanges\[0\].*wider than \/8/);
  });

  it('a /0 already stored (written before the rule) opens nothing: the policy ignores it', async () => {
    await editStored(bastionT, (p) => ({ ...p, onPremisesRanges: ['0.0.0.0/0'] }));
    try {
      expectRefused(await ipTicket('8.8.8.8'), /outside the networks/);
      expectRefused(await ipTicket('127.0.1.4'), /loopback/);
    } finally {
      expect((await put(['192.168.60.0/24'])).statusCode).toBe(200);
    }
  });
});
