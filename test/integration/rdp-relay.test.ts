import { copyFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RdpCertificateEntry, RdpTokenResponse } from '../../packages/protocol/src/rdp-relay.js';
import { ConnectionLog } from '../../packages/server/src/audit/connection-log.js';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { parseConnectionConfirm } from '../../packages/server/src/gateway/rdp/x224.js';
import { as, createTestBastion, signInAsReadyAdmin, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { credSspNegotiate, mcsConnectInitial, RdpRelayClient, requestPdu } from '../helpers/rdp-client.js';
import { readTestbed, run, testbedPath, testbedVm, type TestbedInfo } from '../helpers/testbed.js';
import { loadWebSocket, type WsCtor } from '../helpers/ws-client.js';
import { listenOnLoopback } from '../helpers/listen.js';

/**
 * Browser RDP transport (design 0004): association tokens and the RDCleanPath relay over a real HTTPS
 * listener, with a Node client speaking RDCleanPath, against the testbed's xrdp (TLS), freerdp-shadow
 * (NLA) and weston (TLS). After the relay's answer the client sends the first RDP PDU over the plaintext
 * stream and expects the VM's answer: the relay carries bytes both ways.
 */

const PASSWORD = 'Rdp-Test-Pass-123';
let tb: TestbedInfo;
let b: TestBastion;
let base: string;
let WebSocketCtor: WsCtor;
let alice: { cookie: string; csrf: string };
const clients: RdpRelayClient[] = [];
const vmPath = (name: string): string => testbedPath(tb, 'Microsoft.Compute/virtualMachines', name);

function https(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpsRequest(`${base}${path}`, { method, rejectUnauthorized: false, timeout: 10_000, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), origin: base, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}
const asAlice = (method: string, path: string, body?: unknown) => https(method, path, body, { cookie: alice.cookie, 'x-csrf-token': alice.csrf });

async function tokenFor(vm: string, port?: number): Promise<RdpTokenResponse> {
  const res = await asAlice('POST', `/api${vmPath(vm)}/bastionRdp`, port === undefined ? {} : { port });
  expect(res.status, res.body).toBe(201);
  return JSON.parse(res.body) as RdpTokenResponse;
}

function open(url: string, headers: Record<string, string> = {}): RdpRelayClient {
  const c = new RdpRelayClient(new WebSocketCtor(url, { rejectUnauthorized: false, headers: { cookie: alice.cookie, origin: base, ...headers } }));
  clients.push(c);
  return c;
}

/** Opens the relay and sends one request; resolves once the relay answered (or closed). */
async function connect(destination: string, token: string, requestedProtocols = 3, proxyUrl = `${base.replace('https:', 'wss:')}/api/rdp/relay`): Promise<RdpRelayClient> {
  const c = open(proxyUrl);
  await c.until('open', () => c.ws.readyState === 1 || c.closeCode !== undefined);
  c.ws.send(requestPdu(destination, token, requestedProtocols));
  await c.answered();
  return c;
}

/** The relay answered with success, and the first RDP PDU gets the VM's answer through it. */
async function expectRelayed(c: RdpRelayClient, destination: string): Promise<void> {
  expect(c.responseError).toBeUndefined();
  expect(c.response?.error).toBeUndefined();
  expect(c.response).toMatchObject({ serverAddr: destination, x224ConnectionPdu: expect.any(Uint8Array) });
  expect(c.response!.serverCertChain!.length).toBeGreaterThanOrEqual(1);
  const confirm = parseConnectionConfirm(c.response!.x224ConnectionPdu!);
  expect(confirm.kind).toBe('accepted');
  const selected = confirm.kind === 'accepted' ? confirm.selectedProtocol : 0;
  // NLA servers expect CredSSP first (answered with the NTLM CHALLENGE), TLS servers the MCS Connect Initial.
  c.ws.send(selected & 2 ? credSspNegotiate() : mcsConnectInitial(selected));
  await c.until('the VM answer through the relay', () => c.after.length > 0);
  if (selected & 2) {
    expect(c.after[0]).toBe(0x30);
    expect(c.after.includes(Buffer.from('NTLMSSP\0', 'latin1'))).toBe(true);
  } else {
    expect(c.after.subarray(0, 1)).toEqual(Buffer.from([3]));
    expect(c.after.includes(Buffer.from([0x7f, 0x66]))).toBe(true); // MCS Connect-Response
  }
}

const expectRefused = (c: RdpRelayClient, pdu: { errorCode: number; httpStatus?: number; wsaLastError?: number }): void => {
  expect(c.responseError).toBeUndefined();
  expect(c.response?.error).toMatchObject(pdu);
  expect(c.response?.serverAddr).toBeUndefined();
};

beforeAll(async () => {
  tb = readTestbed();
  WebSocketCtor = await loadWebSocket();
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  // A registered VM whose address has no machine behind it (unreachable), inside snet-vms.
  inventory.virtualMachines = [...(inventory.virtualMachines ?? []), { name: 'vm-ghost', resourceGroup: tb.resourceGroup, osType: 'linux', nics: [{ name: 'vm-ghost-nic', virtualNetwork: tb.virtualNetwork, subnet: 'snet-vms', privateIpAddress: '10.90.1.99' }] }];
  b = await createTestBastion({
    inventory,
    users: [
      { username: 'alice', password: PASSWORD },
      { username: 'revoked', password: PASSWORD },
    ],
    roleAssignments: [
      { assignee: 'alice', role: 'Contributor', scope: `/subscriptions/${tb.subscriptionId}` },
      { assignee: 'revoked', role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` },
      // Still reads another VM, so the upgrade passes the route's rule and the Connect check itself refuses.
      { assignee: 'revoked', role: 'Reader', scope: vmPath('vm-ssh2') },
    ],
  });
  base = await listenOnLoopback(b.app);
  alice = await signIn('alice');
});

async function signIn(username: string): Promise<{ cookie: string; csrf: string }> {
  const res = await https('POST', '/api/auth/login', { username, password: PASSWORD });
  expect(res.status, res.body).toBe(200);
  const cookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('bastion_session='))!.split(';')[0]!;
  return { cookie, csrf: (JSON.parse(res.body) as { csrfToken: string }).csrfToken };
}

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await b?.dispose();
});

describe('browser RDP relay (RDCleanPath) against real RDP servers', () => {
  it.each(['vm-xrdp', 'vm-nla', 'vm-weston'])('%s: token → relay → X.224 confirm, certificate chain, and RDP bytes both ways', async (name) => {
    const vm = testbedVm(tb, name);
    const t = await tokenFor(name);
    expect(t.destination).toBe(`${vm.ip}:3389`);
    expect(t.proxyUrl).toBe(`${base.replace('https:', 'wss:')}/api/rdp/relay`);
    expect(Date.parse(t.expiresAt) - Date.now()).toBeLessThanOrEqual(30_000);
    const c = await connect(t.destination, t.token, 3, t.proxyUrl);
    await expectRelayed(c, t.destination);
    c.ws.close();
    await c.until('close', () => c.closeCode !== undefined);
  });

  it('writes the connection record (protocol rdp, bytes each way) and lists the pinned certificate', async () => {
    const log = new ConnectionLog(b.store.db);
    await new Promise((r) => setTimeout(r, 200));
    const rows = await log.list({ targetResourceId: vmPath('vm-xrdp') });
    expect(rows[0]).toMatchObject({ protocol: 'rdp', targetVMIPAddress: '10.90.1.6', targetPort: 3389, principalName: 'alice', userName: 'vmuser', message: 'Successfully Connected.', endReason: 'client_closed' });
    expect(rows[0]!.bytesIn).toBeGreaterThan(0);
    expect(rows[0]!.bytesOut).toBeGreaterThan(0);
    const certs = JSON.parse((await asAlice('GET', `/api${vmPath('vm-xrdp')}/rdpCertificates`)).body) as { value: RdpCertificateEntry[] };
    expect(certs.value).toEqual([expect.objectContaining({ port: 3389, host: '10.90.1.6', mismatch: false, lastOffered: null, pinned: expect.objectContaining({ fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/), subject: 'CN=vm-xrdp', acceptedBy: null }) })]);
  });

  it('refuses forged, reused and misdirected tokens (401/403), and a foreign Origin before the upgrade', async () => {
    const xrdp = testbedVm(tb, 'vm-xrdp');
    expectRefused(await connect(`${xrdp.ip}:3389`, 'forged-token-forged-token-forged-token-xyz'), { errorCode: 1, httpStatus: 401 });
    const t = await tokenFor('vm-xrdp');
    await expectRelayed(await connect(t.destination, t.token), t.destination);
    expectRefused(await connect(t.destination, t.token), { errorCode: 1, httpStatus: 401 });
    const other = await tokenFor('vm-xrdp');
    expectRefused(await connect(`${testbedVm(tb, 'vm-nla').ip}:3389`, other.token), { errorCode: 1, httpStatus: 403 });
    // The misdirected token was consumed too.
    expectRefused(await connect(other.destination, other.token), { errorCode: 1, httpStatus: 401 });
    const foreign = open(`${base.replace('https:', 'wss:')}/api/rdp/relay`, { origin: 'https://evil.example' });
    await foreign.until('refusal', () => foreign.closeCode !== undefined);
    expect(foreign.refusedStatus).toBe(403);
  });

  it('re-runs the Connect check at connect time: a role removed after the token was issued refuses (403)', async () => {
    const who = await signIn('revoked');
    const issued = await https('POST', `/api${vmPath('vm-xrdp')}/bastionRdp`, {}, { cookie: who.cookie, 'x-csrf-token': who.csrf });
    expect(issued.status, issued.body).toBe(201);
    const t = JSON.parse(issued.body) as RdpTokenResponse;
    const admin = await signInAsReadyAdmin(b);
    const scope = `/subscriptions/${tb.subscriptionId}`;
    const list = (await as(b.app, admin, { url: `/api/roleAssignments?scope=${encodeURIComponent(scope)}` })).json() as { value: Array<{ id: string; principalName: string; scope: string }> };
    const assignment = list.value.find((a) => a.principalName === 'revoked' && a.scope === scope)!;
    expect((await as(b.app, admin, { method: 'DELETE', url: `/api/roleAssignments/${assignment.id}` })).statusCode).toBe(204);
    const c = new RdpRelayClient(new WebSocketCtor(t.proxyUrl, { rejectUnauthorized: false, headers: { cookie: who.cookie, origin: base } }));
    clients.push(c);
    await c.until('open', () => c.ws.readyState === 1 || c.closeCode !== undefined);
    c.ws.send(requestPdu(t.destination, t.token));
    await c.answered();
    expectRefused(c, { errorCode: 1, httpStatus: 403 });
  });

  it('reports a refused port (502, WSA 10061), an unreachable VM (502/504) and a required NLA (negotiation error with the confirm)', async () => {
    const refused = await tokenFor('vm-ssh'); // the NSG lets 3389 through; nothing listens there
    expectRefused(await connect(refused.destination, refused.token), { errorCode: 1, httpStatus: 502, wsaLastError: 10061 });
    const ghost = await tokenFor('vm-ghost');
    const c = await connect(ghost.destination, ghost.token);
    expect(c.response?.error?.errorCode).toBe(1);
    expect([502, 504]).toContain(c.response?.error?.httpStatus);
    expect([10060, 10065]).toContain(c.response?.error?.wsaLastError);
    const nla = await tokenFor('vm-nla');
    const tlsOnly = await connect(nla.destination, nla.token, 1);
    expect(tlsOnly.response?.error).toEqual({ errorCode: 2 });
    expect(parseConnectionConfirm(tlsOnly.response!.x224ConnectionPdu!)).toMatchObject({ kind: 'refused', failureCode: 5 });
  });

  it('refuses a changed certificate until an administrator accepts it, then relays again', async () => {
    const xrdp = testbedVm(tb, 'vm-xrdp');
    const cert = join(xrdp.stateDir, 'rdp-cert.pem');
    const key = join(xrdp.stateDir, 'rdp-key.pem');
    copyFileSync(cert, `${cert}.rdp-test-backup`);
    copyFileSync(key, `${key}.rdp-test-backup`);
    try {
      // A new key pair in place: xrdp reads its certificate for each connection.
      const made = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=vm-xrdp-impostor', '-keyout', key, '-out', cert]);
      expect(made.code, made.stderr).toBe(0);
      const t = await tokenFor('vm-xrdp');
      const c = await connect(t.destination, t.token);
      expectRefused(c, { errorCode: 1, httpStatus: 495 });
      const list = JSON.parse((await asAlice('GET', `/api${vmPath('vm-xrdp')}/rdpCertificates`)).body) as { value: RdpCertificateEntry[] };
      const entry = list.value[0]!;
      expect(entry).toMatchObject({ mismatch: true, lastOffered: { subject: 'CN=vm-xrdp-impostor' } });
      const wrong = await asAlice('POST', `/api${vmPath('vm-xrdp')}/rdpCertificates/accept`, { fingerprint: entry.pinned.fingerprint });
      expect(wrong.status, wrong.body).toBe(409);
      const accepted = await asAlice('POST', `/api${vmPath('vm-xrdp')}/rdpCertificates/accept`, { fingerprint: entry.lastOffered!.fingerprint });
      expect(accepted.status, accepted.body).toBe(200);
      expect(JSON.parse(accepted.body)).toMatchObject({ mismatch: false, lastOffered: null, pinned: { fingerprint: entry.lastOffered!.fingerprint, acceptedBy: 'alice' } });
      const again = await tokenFor('vm-xrdp');
      await expectRelayed(await connect(again.destination, again.token), again.destination);
    } finally {
      copyFileSync(`${cert}.rdp-test-backup`, cert);
      copyFileSync(`${key}.rdp-test-backup`, key);
      rmSync(`${cert}.rdp-test-backup`);
      rmSync(`${key}.rdp-test-backup`);
    }
    expect((await b.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('stays up after garbage: malformed PDUs and text messages are refused with 400', async () => {
    const c = open(`${base.replace('https:', 'wss:')}/api/rdp/relay`);
    await c.until('open', () => c.ws.readyState === 1);
    c.ws.send(Uint8Array.from([0x30, 0x80, 0, 0]));
    await c.answered();
    expectRefused(c, { errorCode: 1, httpStatus: 400 });
    const d = open(`${base.replace('https:', 'wss:')}/api/rdp/relay`);
    await d.until('open', () => d.ws.readyState === 1);
    d.ws.send('hello');
    await d.answered();
    expectRefused(d, { errorCode: 1, httpStatus: 400 });
    const t = await tokenFor('vm-weston');
    await expectRelayed(await connect(t.destination, t.token), t.destination);
  });
});
