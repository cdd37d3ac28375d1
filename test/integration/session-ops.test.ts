import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActiveSession, DisconnectResult } from '../../packages/protocol/src/active-sessions.js';
import type { RdpTokenResponse } from '../../packages/protocol/src/rdp-relay.js';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { parseConnectionConfirm } from '../../packages/server/src/gateway/rdp/x224.js';
import { as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { mcsConnectInitial, RdpRelayClient, requestPdu } from '../helpers/rdp-client.js';
import { BastionClient, type BrowserSession, type WsTerm } from '../helpers/ssh-ws-client.js';
import { readTestbed, testbedPath, type TestbedInfo } from '../helpers/testbed.js';
import { loadWebSocket, type WsCtor } from '../helpers/ws-client.js';
import { waitForEndedRecord } from '../helpers/connection-records.js';
import { listenOnLoopback } from '../helpers/listen.js';

/**
 * Session operations (design 0005) on the testbed's real sshd and xrdp, through a real HTTPS listener:
 * the Sessions API lists live SSH and RDP sessions and disconnects them; idle timeout (with its warning)
 * and maximum length close SSH sessions, with short limits set through the bastion's ARM PUT.
 */
const PASSWORD = 'Session-Ops-Pass-1';
let tb: TestbedInfo;
let b: TestBastion;
let client: BastionClient;
let alice: BrowserSession;
let admin: Session;
let WebSocketCtor: WsCtor;
const terms: WsTerm[] = [];
const rdpClients: RdpRelayClient[] = [];
const vmPath = (name: string) => testbedPath(tb, 'Microsoft.Compute/virtualMachines', name);
const bastionPath = () => testbedPath(tb, 'Microsoft.Network/bastionHosts', tb.bastionHost);

async function setLimits(idleTimeoutMinutes: number, maxSessionMinutes: number): Promise<void> {
  const vnet = testbedPath(tb, 'Microsoft.Network/virtualNetworks', tb.virtualNetwork);
  const res = await as(b.app, admin, { method: 'PUT', url: `/api${bastionPath()}`, payload: { properties: { virtualNetwork: { id: vnet }, idleTimeoutMinutes, maxSessionMinutes } } });
  expect(res.statusCode, res.body).toBe(200);
}

async function sshSession(): Promise<{ t: WsTerm; sessionId: string }> {
  const { url } = await client.ticket(alice, vmPath('vm-ssh'), tb.user, { type: 'password', password: tb.password });
  const t = await client.terminal(url, alice);
  terms.push(t);
  const ready = await t.ready();
  return { t, sessionId: String(ready.sessionId) };
}

const activeSessions = async (): Promise<ActiveSession[]> => {
  const res = await as(b.app, admin, { method: 'POST', url: `/api${bastionPath()}/getActiveSessions` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { value: ActiveSession[] }).value;
};
const disconnect = async (sessionId: string): Promise<DisconnectResult[]> => {
  const res = await as(b.app, admin, { method: 'POST', url: `/api${bastionPath()}/disconnectActiveSessions`, payload: { value: [sessionId] } });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { value: DisconnectResult[] }).value;
};

const endedRecord = (sessionId: string) => waitForEndedRecord(b.connections, sessionId);

beforeAll(async () => {
  tb = readTestbed();
  WebSocketCtor = await loadWebSocket();
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  b = await createTestBastion({
    inventory,
    users: [{ username: 'alice', password: PASSWORD }],
    roleAssignments: [{ assignee: 'alice', role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` }],
  });
  client = new BastionClient(await listenOnLoopback(b.app));
  alice = await client.signIn('alice', PASSWORD);
  admin = await signInAsReadyAdmin(b);
});

afterAll(async () => {
  for (const t of terms) t.ws.terminate();
  for (const c of rdpClients) c.ws.terminate();
  await b?.dispose();
});

describe('live SSH sessions', () => {
  it('the list shows the session; Disconnect ends it with the message and endReason terminated', async () => {
    await setLimits(0, 0);
    const { t, sessionId } = await sshSession();
    await t.run('echo $((6*7))', /[\r\n]42\r?\n/);
    const listed = (await activeSessions()).find((s) => s.sessionId === sessionId);
    expect(listed).toMatchObject({ protocol: 'SSH', principalName: 'alice', userName: tb.user, targetHostName: 'vm-ssh', targetResourceGroup: tb.resourceGroup, targetIpAddress: '10.90.1.4', clientIpAddress: '127.0.0.1', resourceType: 'VM' });
    expect(listed!.bytesIn).toBeGreaterThan(0);
    expect(listed!.bytesOut).toBeGreaterThan(0);
    expect(await disconnect(sessionId)).toEqual([{ sessionId, state: 'Disconnected', message: 'The session was disconnected.' }]);
    await t.until('closed', () => t.closeCode !== undefined);
    expect(t.message('closed')).toEqual({ type: 'closed', reason: 'terminated', message: 'You have been disconnected by an administrator.' });
    expect(await endedRecord(sessionId)).toMatchObject({ endReason: 'terminated', message: 'Successfully Connected.' });
    expect((await activeSessions()).some((s) => s.sessionId === sessionId)).toBe(false);
    expect(await disconnect(sessionId)).toEqual([expect.objectContaining({ state: 'NotFound' })]);
  });

  it('an idle session is warned, input keeps it, then it closes as idle_timeout', async () => {
    await setLimits(0.1, 0); // 6 s idle, warned 3 s before
    const { t, sessionId } = await sshSession();
    const notices = () => t.messages.filter((m) => m.type === 'notice').map((m) => String(m.message));
    await t.until('the idle warning', () => notices().some((n) => n.includes('because the session is idle')), 10_000);
    expect(notices()[0]).toBe('You will be disconnected in 3 seconds because the session is idle. Press any key to stay connected.');
    t.input(' '); // any key
    await t.until('the warning cleared', () => notices().includes(''), 5000);
    const typedAt = Date.now();
    await t.until('closed', () => t.closeCode !== undefined, 15_000);
    expect(Date.now() - typedAt).toBeGreaterThanOrEqual(5000); // the input restarted the idle clock
    expect(notices().filter((n) => n.includes('idle')).length).toBe(2); // warned again before the close
    expect(t.message('closed')).toEqual({ type: 'closed', reason: 'idle_timeout', message: 'The session was closed after 6 seconds without input.' });
    expect(await endedRecord(sessionId)).toMatchObject({ endReason: 'idle_timeout' });
  });

  it('pings and acks are not input: a session that only pings still goes idle', async () => {
    await setLimits(0.05, 0); // 3 s
    const { t, sessionId } = await sshSession();
    const pinger = setInterval(() => t.send({ type: 'ping', t: 1 }), 200);
    try {
      await t.until('closed', () => t.closeCode !== undefined, 10_000);
    } finally {
      clearInterval(pinger);
    }
    expect(t.message('closed')).toMatchObject({ reason: 'idle_timeout' });
    expect(await endedRecord(sessionId)).toMatchObject({ endReason: 'idle_timeout' });
  });

  it('a busy session still ends at the maximum length (max_duration)', async () => {
    await setLimits(0, 0.1); // 6 s in all
    const { t, sessionId } = await sshSession();
    const start = Date.now();
    const typer = setInterval(() => t.input(':\r'), 300);
    try {
      await t.until('closed', () => t.closeCode !== undefined, 15_000);
    } finally {
      clearInterval(typer);
    }
    expect(Date.now() - start).toBeGreaterThanOrEqual(5000);
    expect(t.messages.some((m) => m.type === 'notice' && String(m.message).includes('at most 6 seconds'))).toBe(true);
    expect(t.message('closed')).toMatchObject({ reason: 'max_duration' });
    expect(await endedRecord(sessionId)).toMatchObject({ endReason: 'max_duration' });
  });
});

describe('live RDP sessions', () => {
  it('the list shows an RDP session through the relay; Disconnect closes it and records terminated', async () => {
    await setLimits(0, 0);
    const base = client.base;
    const res = await client.request('POST', `/api${vmPath('vm-xrdp')}/bastionRdp`, { body: {}, who: alice });
    expect(res.status, res.body).toBe(201);
    const token = JSON.parse(res.body) as RdpTokenResponse;
    const c = new RdpRelayClient(new WebSocketCtor(token.proxyUrl, { rejectUnauthorized: false, headers: { cookie: alice.cookie, origin: base } }));
    rdpClients.push(c);
    await c.until('open', () => c.ws.readyState === 1 || c.closeCode !== undefined);
    c.ws.send(requestPdu(token.destination, token.token, 3));
    await c.answered();
    expect(c.response?.error).toBeUndefined();
    const confirm = parseConnectionConfirm(c.response!.x224ConnectionPdu!);
    c.ws.send(mcsConnectInitial(confirm.kind === 'accepted' ? confirm.selectedProtocol : 1));
    await c.until('the VM answer', () => c.after.length > 0);

    const listed = (await activeSessions()).find((s) => s.protocol === 'RDP');
    expect(listed).toMatchObject({ principalName: 'alice', targetHostName: 'vm-xrdp', targetIpAddress: '10.90.1.6' });
    expect(listed!.bytesIn).toBeGreaterThan(0);
    expect(await disconnect(listed!.sessionId)).toEqual([expect.objectContaining({ state: 'Disconnected' })]);
    await c.until('close', () => c.closeCode !== undefined);
    expect(c.closeCode).toBe(1000);
    expect(await endedRecord(listed!.sessionId)).toMatchObject({ protocol: 'rdp', endReason: 'terminated' });
  });
});

describe('metrics after real sessions', () => {
  it('count connect latencies and relayed bytes per protocol', async () => {
    const text = (await as(b.app, admin, { url: '/metrics' })).body;
    expect(Number(/^bastion_connect_duration_seconds_count\{protocol="ssh"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(4);
    expect(Number(/^bastion_connect_duration_seconds_count\{protocol="rdp"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^bastion_relayed_bytes_total\{protocol="ssh",direction="out"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(Number(/^bastion_relayed_bytes_total\{protocol="rdp",direction="in"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^bastion_live_sessions\{protocol="ssh"\} 0$/m);
  });
});
