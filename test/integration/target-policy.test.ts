import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RdpTokenResponse } from '../../packages/protocol/src/rdp-relay.js';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { createTestBastion, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { listenOnLoopback } from '../helpers/listen.js';
import { RdpRelayClient, requestPdu } from '../helpers/rdp-client.js';
import { BastionClient, type BrowserSession, type WsTerm } from '../helpers/ssh-ws-client.js';
import { readTestbed, testbedPath, type TestbedInfo } from '../helpers/testbed.js';
import { loadWebSocket } from '../helpers/ws-client.js';

/**
 * The target policy right before dialling (design 0003, "Target policy"), against the testbed's real sshd
 * (vm-ssh) and xrdp (vm-xrdp): a ticket or token is issued while the inventory is fine, then the stored
 * inventory is edited (as a direct database write would, no validation) and the session must be refused
 * at the WebSocket without the bastion dialling anything. The refusals at issue time: target-policy-routes.test.ts.
 */
const PASSWORD = 'Policy-Int-Pass-1';
const LOOPBACK_NIC = '127.0.1.4';
let tb: TestbedInfo;
let b: TestBastion;
let client: BastionClient;
let op: BrowserSession;
let listener: Server;
let accepted = 0;
/** The port the tickets name: a bastion that dialled the NIC's new address would reach the listener. */
let listenerPort: number;
const terms: WsTerm[] = [];
const rdpClients: RdpRelayClient[] = [];

const path = (type: string, name: string): string => testbedPath(tb, type, name);
const vmPath = (name: string): string => path('Microsoft.Compute/virtualMachines', name);
const nicPath = (vm: string): string => path('Microsoft.Network/networkInterfaces', `${vm}-nic`);

/** Rewrites a stored resource's properties; returns a function that puts the old ones back. */
async function editStored(id: string, edit: (properties: Record<string, unknown>) => Record<string, unknown>): Promise<() => Promise<void>> {
  const key = id.toLowerCase();
  const before = (await b.store.db.selectFrom('resources').select('properties').where('id_key', '=', key).executeTakeFirstOrThrow()).properties;
  const set = (properties: string) => b.store.db.updateTable('resources').set({ properties }).where('id_key', '=', key).execute();
  await set(JSON.stringify(edit(JSON.parse(before) as Record<string, unknown>)));
  return async () => void (await set(before));
}
const nicAt = (ip: string) => (p: Record<string, unknown>) => ({ ...p, ipConfigurations: (p.ipConfigurations as Array<{ properties: object }>).map((c) => ({ ...c, properties: { ...c.properties, privateIPAddress: ip } })) });

/** POST as the operator, or (`who: null`) as a link visitor without a session. */
const api = async (path: string, body: object, who: BrowserSession | null = op): Promise<Record<string, unknown>> => {
  const res = await client.request('POST', `/api${path}`, { body, ...(who ? { who } : {}) });
  expect(res.status, res.body).toBeLessThan(300);
  return JSON.parse(res.body) as Record<string, unknown>;
};

/** Opens the terminal WebSocket and waits for the bastion's first answer: ready, or an error. */
async function firstAnswer(url: string): Promise<WsTerm> {
  const term = await client.terminal(url, op);
  terms.push(term);
  await term.until('an answer', () => term.message('ready') !== undefined || term.message('error') !== undefined || term.closeCode !== undefined);
  return term;
}

beforeAll(async () => {
  tb = readTestbed();
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  inventory.bastionHosts = (inventory.bastionHosts ?? []).map((h) => ({ ...h, enableShareableLink: true }));
  b = await createTestBastion({ inventory, users: [{ username: 'operator', password: PASSWORD }], roleAssignments: [{ assignee: 'operator', role: 'Owner', scope: `/subscriptions/${tb.subscriptionId}` }] });
  const base = await listenOnLoopback(b.app);
  client = new BastionClient(base);
  op = await client.signIn('operator', PASSWORD);
  listener = createServer((socket) => {
    accepted += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, LOOPBACK_NIC, resolve));
  listenerPort = (listener.address() as { port: number }).port;
});

afterAll(async () => {
  for (const t of terms) t.ws.terminate();
  for (const c of rdpClients) c.ws.terminate();
  listener?.close();
  await b?.dispose();
});

const sshAuth = () => ({ username: tb.user, port: listenerPort, auth: { type: 'password', password: tb.password } });

describe('target policy at dial time', () => {
  it('portal SSH: a NIC moved to loopback after the ticket refuses the session; nothing is dialled', async () => {
    const { url } = (await api(`${vmPath('vm-ssh')}/bastionSsh`, sshAuth())) as { url: string };
    const restore = await editStored(nicPath('vm-ssh'), nicAt(LOOPBACK_NIC));
    try {
      const term = await firstAnswer(url);
      expect(term.message('ready')).toBeUndefined();
      expect(term.message('error')).toMatchObject({ code: 'forbidden', message: expect.stringContaining(`changed (${'10.90.1.4'} → ${LOOPBACK_NIC})`) });
      expect(accepted).toBe(0);
    } finally {
      await restore();
    }
  });

  it('shareable link: the visitor\'s session is refused the same way', async () => {
    const created = await api(`${path('Microsoft.Network/bastionHosts', tb.bastionHost)}/createShareableLinks`, { vms: [{ vm: { id: vmPath('vm-ssh') } }] });
    const link = (created as { value: Array<{ bsl: string }> }).value[0]!;
    const secret = link.bsl.split('/share/')[1]!;
    const { url } = (await api(`/share/${secret}/ssh`, sshAuth(), null)) as { url: string };
    const restore = await editStored(nicPath('vm-ssh'), nicAt(LOOPBACK_NIC));
    try {
      const term = await firstAnswer(url);
      expect(term.message('ready')).toBeUndefined();
      expect(term.message('error')).toMatchObject({ code: 'forbidden', message: expect.stringContaining('changed') });
      expect(accepted).toBe(0);
    } finally {
      await restore();
    }
  });

  it('RDP: a subnet edited after the token so that the address is reserved in it refuses the relay', async () => {
    const t = (await api(`${vmPath('vm-xrdp')}/bastionRdp`, {})) as unknown as RdpTokenResponse;
    // vm-xrdp is 10.90.1.6: inside 10.90.1.4/30 it is one of the addresses Azure reserves.
    const restore = await editStored(`${path('Microsoft.Network/virtualNetworks', tb.virtualNetwork)}/subnets/snet-vms`, (p) => ({ ...p, addressPrefix: '10.90.1.4/30' }));
    try {
      const Ws = await loadWebSocket();
      const c = new RdpRelayClient(new Ws(t.proxyUrl, { rejectUnauthorized: false, headers: { cookie: op.cookie, origin: client.base } }));
      rdpClients.push(c);
      await c.until('open', () => c.ws.readyState === 1 || c.closeCode !== undefined);
      c.ws.send(requestPdu(t.destination, t.token, 3));
      await c.answered();
      expect(c.response?.serverAddr).toBeUndefined();
      expect(c.response?.error).toMatchObject({ httpStatus: 403 });
      const refused = await b.store.db.selectFrom('audit_events').select('message').where('type', '=', 'rdp.token.rejected').execute();
      expect(refused.map((e) => e.message)).toContainEqual(expect.stringMatching(/reserves in subnet snet-vms/));
    } finally {
      await restore();
    }
  });
});
