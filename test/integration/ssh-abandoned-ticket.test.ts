import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BastionAuditRecord } from '../../packages/protocol/src/bastion-audit-log.js';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { createTestBastion, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { listenOnLoopback } from '../helpers/listen.js';
import { BastionClient, type BrowserSession } from '../helpers/ssh-ws-client.js';
import { readTestbed, testbedPath, testbedVm, type TestbedInfo } from '../helpers/testbed.js';
import { loadWebSocket, type WsCtor } from '../helpers/ws-client.js';

/**
 * A connect ticket abandoned while the session is being set up (issue 13, finding 9): the browser opens the
 * WebSocket with a valid ticket and goes away at once. The bastion must not go on to log in on the VM — the
 * VM's sshd log shows no "Accepted password" for it — and the connection record says the client left.
 * vm-ssh2 (10.90.1.5) is the target: the testbed's least used VM, so its log is quiet during the test.
 */

const PASSWORD = 'Abandon-Test-Pass-1';
const ROUNDS = 4;
let tb: TestbedInfo;
let b: TestBastion;
let client: BastionClient;
let who: BrowserSession;
let vmPath: string;
let WebSocket: WsCtor;

beforeAll(async () => {
  tb = readTestbed();
  WebSocket = await loadWebSocket();
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  vmPath = testbedPath(tb, 'Microsoft.Compute/virtualMachines', 'vm-ssh2');
  b = await createTestBastion({ inventory, users: [{ username: 'leaver', password: PASSWORD }], roleAssignments: [{ assignee: 'leaver', role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` }] });
  client = new BastionClient(await listenOnLoopback(b.app));
  who = await client.signIn('leaver', PASSWORD);
});
afterAll(async () => {
  await b?.dispose();
});

const sshdLog = (): string => readFileSync(join(testbedVm(tb, 'vm-ssh2').stateDir, 'sshd.log'), 'utf8');
const logins = (log: string): string[] => log.split('\n').filter((l) => /^Accepted password for vmuser from 10\.90\.0\.4 /.test(l));

async function endedRecords(n: number): Promise<BastionAuditRecord[]> {
  for (let i = 0; i < 200; i++) {
    const rows = (await b.connections.list({ principalName: 'leaver' })).filter((r) => r.endTime);
    if (rows.length >= n) return rows;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`only ${(await b.connections.list({ principalName: 'leaver' })).filter((r) => r.endTime).length} of ${n} records ended`);
}

describe('a connect ticket abandoned during set-up', () => {
  it('performs no SSH login on the VM, and the record says the client left', async () => {
    const before = sshdLog().length;
    for (let i = 0; i < ROUNDS; i++) {
      const { url } = await client.ticket(who, vmPath, tb.user, { type: 'password', password: tb.password });
      const ws = new WebSocket(`${client.base.replace('https:', 'wss:')}${url}`, { rejectUnauthorized: false, headers: { cookie: who.cookie, origin: client.base } });
      // Half the rounds leave with a close frame (a tab closed), half drop the TCP connection (network gone).
      ws.on('open', () => (i % 2 ? ws.close() : ws.terminate()));
      ws.on('error', () => undefined);
      await new Promise<void>((resolve) => ws.on('close', () => resolve()));
    }
    const records = await endedRecords(ROUNDS);
    expect(records).toHaveLength(ROUNDS);
    for (const r of records) expect(r).toMatchObject({ endReason: 'client_closed', bytesIn: 0, bytesOut: 0, targetVMIPAddress: '10.90.1.5' });
    // A login that was still going on would show within a second or two; give it generously more.
    await new Promise((r) => setTimeout(r, 3000));
    expect(logins(sshdLog().slice(before))).toEqual([]);
  });

  it('a session that stays still logs in (the check above would see it)', async () => {
    const before = sshdLog().length;
    const { url } = await client.ticket(who, vmPath, tb.user, { type: 'password', password: tb.password });
    const term = await client.terminal(url, who);
    const end = Date.now() + 15_000;
    while (!term.messages.some((m) => m.type === 'ready') && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    expect(term.messages.map((m) => m.type)).toContain('ready');
    term.ws.close();
    const end2 = Date.now() + 5000;
    while (logins(sshdLog().slice(before)).length === 0 && Date.now() < end2) await new Promise((r) => setTimeout(r, 50));
    expect(logins(sshdLog().slice(before))).toHaveLength(1);
  });
});
