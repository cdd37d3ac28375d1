import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RDP_STATUS_PATH, type RdpStatusResponse, type RdpTokenResponse } from '../../packages/protocol/src/rdp-relay.js';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { parseConnectionConfirm } from '../../packages/server/src/gateway/rdp/x224.js';
import { createTestBastion, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { listenOnLoopback } from '../helpers/listen.js';
import { mcsConnectInitial, RdpRelayClient, requestPdu } from '../helpers/rdp-client.js';
import { BastionClient, type BrowserSession } from '../helpers/ssh-ws-client.js';
import { readTestbed, testbedPath, type TestbedInfo } from '../helpers/testbed.js';
import { loadWebSocket, type WsCtor } from '../helpers/ws-client.js';

/**
 * Issue 13, finding 7 for RDP: a browser RDP session has no channel of ours, so the page asks
 * POST /api/rdp/status with its association token whether the session is recorded. Real xrdp (vm-xrdp),
 * bastions in this process, recordings on tmpfs folders this test mounts (as root), remounts read-only
 * after the bastion started (as a failing disk does), and unmounts in afterAll.
 */
const PASSWORD = 'Rdp-Status-Pass-1';
let tb: TestbedInfo;
let inventory: InventoryConfig;
let WebSocketCtor: WsCtor;
const bastions: TestBastion[] = [];
const sockets: RdpRelayClient[] = [];
const mounts: string[] = [];

beforeAll(async () => {
  tb = readTestbed();
  WebSocketCtor = await loadWebSocket();
  inventory = (readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig }).inventory;
});

afterAll(async () => {
  for (const s of sockets) s.ws.close();
  for (const b of bastions) await b.dispose();
  for (const m of mounts) {
    execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    rmSync(m, { recursive: true, force: true });
  }
});

/** A bastion with alice and bob, both Reader on the subscription (both may connect to vm-xrdp). */
async function bastion(recordings: { dir?: string; onFailure?: 'continue' | 'disconnect' } = {}) {
  const b = await createTestBastion({
    inventory,
    recordings,
    users: [
      { username: 'alice', password: PASSWORD },
      { username: 'bob', password: PASSWORD },
    ],
    roleAssignments: ['alice', 'bob'].map((assignee) => ({ assignee, role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` })),
  });
  bastions.push(b);
  const client = new BastionClient(await listenOnLoopback(b.app));
  return { client, alice: await client.signIn('alice', PASSWORD), bob: await client.signIn('bob', PASSWORD) };
}

function readOnlyLater(): { dir: string; freeze: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-rdp-status-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1024k,mode=0700', 'tmpfs', dir]);
  mounts.push(dir);
  return { dir, freeze: () => execFileSync('mount', ['-o', 'remount,ro', dir]) };
}

/** Opens an RDP session to vm-xrdp as the browser does: token, relay, answer. */
async function openSession(client: BastionClient, who: BrowserSession): Promise<{ token: string; c: RdpRelayClient }> {
  const res = await client.request('POST', `/api${testbedPath(tb, 'Microsoft.Compute/virtualMachines', 'vm-xrdp')}/bastionRdp`, { body: {}, who });
  expect(res.status, res.body).toBe(201);
  const t = JSON.parse(res.body) as RdpTokenResponse;
  const c = new RdpRelayClient(new WebSocketCtor(t.proxyUrl, { rejectUnauthorized: false, headers: { cookie: who.cookie, origin: client.base } }));
  sockets.push(c);
  await c.until('open', () => c.ws.readyState === 1 || c.closeCode !== undefined);
  c.ws.send(requestPdu(t.destination, t.token, 3));
  await c.answered();
  return { token: t.token, c };
}

/** The session relays: xrdp answers the MCS Connect Initial through it. */
async function expectWorks(c: RdpRelayClient): Promise<void> {
  expect(c.response?.error).toBeUndefined();
  const confirm = parseConnectionConfirm(c.response!.x224ConnectionPdu!);
  c.ws.send(mcsConnectInitial(confirm.kind === 'accepted' ? confirm.selectedProtocol : 0));
  await c.until('the VM answer', () => c.after.includes(Buffer.from([0x7f, 0x66])));
}

async function status(client: BastionClient, who: BrowserSession, token: string): Promise<{ status: number; body: RdpStatusResponse & { error?: { code: string } } }> {
  const res = await client.request('POST', RDP_STATUS_PATH, { body: { token }, who });
  return { status: res.status, body: JSON.parse(res.body) as RdpStatusResponse };
}

describe('POST /api/rdp/status', () => {
  it('says recorded: true for a recorded session, only to its owner', async () => {
    const { client, alice, bob } = await bastion();
    const { token, c } = await openSession(client, alice);
    await expectWorks(c);
    expect(await status(client, alice, token)).toEqual({ status: 200, body: { recorded: true } });
    // Another signed-in user who may connect to the same VM learns nothing, not even that the session exists.
    const other = await status(client, bob, token);
    expect(other.status).toBe(404);
    expect(other.body).not.toHaveProperty('recorded');
    expect((await status(client, alice, 'not-a-token')).status).toBe(404);
  });

  it('continue: a session on a read-only recordings folder works and says it is not recorded, and why', async () => {
    const disk = readOnlyLater();
    const { client, alice, bob } = await bastion({ dir: disk.dir });
    disk.freeze();
    const { token, c } = await openSession(client, alice);
    await expectWorks(c);
    expect(await status(client, alice, token)).toEqual({ status: 200, body: { recorded: false, message: expect.stringMatching(/EROFS.*This session is not being recorded\./) } });
    expect((await status(client, bob, token)).status).toBe(404);
  });

  it('disconnect: the session is refused, and the page can learn that the recording was why', async () => {
    const disk = readOnlyLater();
    const { client, alice } = await bastion({ dir: disk.dir, onFailure: 'disconnect' });
    disk.freeze();
    const { token, c } = await openSession(client, alice);
    expect(c.response?.error).toBeDefined();
    expect(c.response?.serverAddr).toBeUndefined();
    expect(await status(client, alice, token)).toEqual({ status: 200, body: { recorded: false, ended: true, message: expect.stringMatching(/EROFS.*ends sessions it cannot record/) } });
  });
});
