import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TUNNEL_CLOSE } from '../../gateway/tunnel/tcp-relay.js';
import type { GatewayWebSocket } from '../../gateway/ws-socket.js';
import { InventoryService } from '../../inventory/service.js';
import { createTestBastion, type TestBastion } from '../test-app.js';
import type { TunnelTarget } from '../tunnel-access.js';
import { handleTunnel } from './tunnel-handler.js';

/**
 * The tunnel's last check (design 0003, "Target policy"): the target was resolved before the upgrade, the
 * inventory changed since (here: its network edited to 127.0.0.0/16, its NIC to 127.0.1.4), and the handler
 * must re-check right before the TCP connect — refusing, recording why, and never reaching the listener.
 */
const SUB = 'sub-tunnel-policy';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-tp`;
const vnetId = `${rg}/providers/Microsoft.Network/virtualNetworks/vnet-tp`;
const vmId = `${rg}/providers/Microsoft.Compute/virtualMachines/vm-tp`;
const bastionId = `${rg}/providers/Microsoft.Network/bastionHosts/bas-tp`;
const LOOPBACK_NIC = '127.0.1.4';

/** The client side of the tunnel's WebSocket: records how the bastion closed it. */
class ClientWs extends EventEmitter implements GatewayWebSocket {
  readyState = 1;
  bufferedAmount = 0;
  closed: { code?: number; reason?: string } | undefined;
  send(): void {}
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  pause(): void {}
  resume(): void {}
}

let b: TestBastion;
let listener: Server;
let accepted = 0;

async function editStored(id: string, edit: (p: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const row = await b.store.db.selectFrom('resources').select('properties').where('id_key', '=', id.toLowerCase()).executeTakeFirstOrThrow();
  await b.store.db.updateTable('resources').set({ properties: JSON.stringify(edit(JSON.parse(row.properties) as Record<string, unknown>)) }).where('id_key', '=', id.toLowerCase()).execute();
}

beforeAll(async () => {
  b = await createTestBastion({
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-tp' }],
      virtualNetworks: [{ name: 'vnet-tp', resourceGroup: 'rg-tp', addressSpace: ['10.77.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.77.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.77.1.0/24' }] }],
      virtualMachines: [{ name: 'vm-tp', resourceGroup: 'rg-tp', osType: 'linux', nics: [{ name: 'vm-tp-nic', virtualNetwork: 'vnet-tp', subnet: 'snet-vms', privateIpAddress: '10.77.1.4' }] }],
      bastionHosts: [{ name: 'bas-tp', resourceGroup: 'rg-tp', virtualNetwork: 'vnet-tp' }],
    },
  });
  await editStored(vnetId, (p) => ({ ...p, addressSpace: { addressPrefixes: ['127.0.0.0/16'] } }));
  await editStored(`${vnetId}/subnets/snet-vms`, (p) => ({ ...p, addressPrefix: '127.0.1.0/24' }));
  await editStored(`${rg}/providers/Microsoft.Network/networkInterfaces/vm-tp-nic`, (p) => ({
    ...p,
    ipConfigurations: (p.ipConfigurations as Array<{ properties: object }>).map((c) => ({ ...c, properties: { ...c.properties, privateIPAddress: LOOPBACK_NIC } })),
  }));
  listener = createServer((socket) => {
    accepted += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, LOOPBACK_NIC, resolve));
});

afterAll(async () => {
  listener?.close();
  await b?.dispose();
});

it('a tunnel whose VM moved to loopback after the target was resolved is refused before the TCP connect', async () => {
  const port = (listener.address() as { port: number }).port;
  const target: TunnelTarget = { targetResourceId: vmId, bastionHostId: bastionId, host: LOOPBACK_NIC, port, policy: { vmId, bastionHostId: bastionId, issuedFor: LOOPBACK_NIC } };
  const request = { user: { id: 'u-tp', username: 'op' }, headers: {}, ip: '127.0.0.1', socket: { remoteAddress: '127.0.0.1', remotePort: 40000 }, log: { error: () => undefined, info: () => undefined } } as unknown as FastifyRequest;
  const ws = new ClientWs();
  handleTunnel({ connections: b.connections, live: b.liveSessions, inventory: new InventoryService(b.store.db, b.subscriptionId) }, ws, request, target, undefined);
  while (!ws.closed) await new Promise((r) => setTimeout(r, 10));
  expect(ws.closed).toEqual({ code: TUNNEL_CLOSE.DIAL_FAILED, reason: expect.stringContaining('loopback') });
  expect(accepted).toBe(0);
  const record = (await b.connections.list({ limit: 5 })).find((r) => r.targetVMIPAddress === LOOPBACK_NIC);
  expect(record).toMatchObject({ protocol: 'tunnel', errorCode: 'forbidden', message: expect.stringContaining('loopback') });
});
