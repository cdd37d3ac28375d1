import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FRAME } from '../../packages/protocol/src/ssh-messages.js';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { SshTicketStore } from '../../packages/server/src/gateway/ssh/tickets.js';
import { as, createTestBastion, signInAsReadyAdmin, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { readTestbed, testbedPath, type TestbedInfo } from '../helpers/testbed.js';
import { loadWebSocket, type WsClient, type WsCtor } from '../helpers/ws-client.js';
import { listenOnLoopback } from '../helpers/listen.js';
import { BastionClient, type BrowserSession as Browser, type HttpAnswer } from '../helpers/ssh-ws-client.js';

/**
 * Browser SSH transport (design 0003): connect tickets and the WebSocket relay, over a real HTTPS listener,
 * with the `ws` client, against the testbed's sshd on vm-ssh (10.90.1.4).
 */

const PASSWORD = 'Ws-Test-Pass-123';
let tb: TestbedInfo;
let b: TestBastion;
let base: string;
let origin: string;
let vmPath: string;

/** HTTPS to the bastion with its own Origin (as a browser on the portal sends). */
const https = (method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpAnswer> => new BastionClient(base).request(method, path, opts);

async function signIn(username: string): Promise<Browser> {
  const res = await https('POST', '/api/auth/login', { body: { username, password: PASSWORD } });
  expect(res.status, res.body).toBe(200);
  const setCookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('bastion_session='));
  if (!setCookie) throw new Error('no session cookie');
  return { cookie: setCookie.split(';')[0]!, csrf: (JSON.parse(res.body) as { csrfToken: string }).csrfToken };
}

async function issueTicket(who: Browser, auth: unknown, username?: string): Promise<HttpAnswer> {
  return https('POST', `/api${vmPath}/bastionSsh`, { body: { username: username ?? tb.user, auth }, headers: { cookie: who.cookie, 'x-csrf-token': who.csrf } });
}

async function ticketFor(who: Browser, auth: unknown = { type: 'password', password: tb.password }): Promise<{ ticket: string; url: string }> {
  const res = await issueTicket(who, auth);
  expect(res.status, res.body).toBe(201);
  return JSON.parse(res.body) as { ticket: string; url: string };
}

let WebSocketCtor: WsCtor;

/** A terminal: JSON controls, output text (acknowledged at once), close code, refusal status. */
class Term {
  readonly ws: WsClient;
  messages: Array<{ type: string; [k: string]: unknown }> = [];
  text = '';
  closeCode: number | undefined;
  refusedStatus: number | undefined;
  error: Error | undefined;
  constructor(url: string, who: Browser, headers: Record<string, string> = {}) {
    this.ws = new WebSocketCtor(`${base.replace('https:', 'wss:')}${url}`, { rejectUnauthorized: false, headers: { cookie: who.cookie, origin, ...headers }, maxPayload: MAX_FRAME });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) {
        expect(data[0]).toBe(0);
        this.text = (this.text + data.subarray(1).toString('latin1')).slice(-16_384);
        this.ws.send(JSON.stringify({ type: 'ack', bytes: data.length - 1 }));
      } else this.messages.push(JSON.parse(data.toString('utf8')) as { type: string });
    });
    this.ws.on('close', (code) => (this.closeCode = code));
    this.ws.on('error', (err) => (this.error = err));
    this.ws.on('unexpected-response', (_req, res) => {
      this.refusedStatus = res.statusCode;
      this.closeCode = -1;
    });
  }
  message(type: string): { type: string; [k: string]: unknown } | undefined {
    return this.messages.find((m) => m.type === type);
  }
  async until(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
    const start = Date.now();
    while (!done()) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; messages ${JSON.stringify(this.messages)}, close ${this.closeCode}, error ${this.error?.message}, screen ${JSON.stringify(this.text.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  input(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.ws.send(Buffer.concat([Buffer.from([0]), bytes]));
  }
}

const terms: Term[] = [];
const open = (url: string, who: Browser, headers?: Record<string, string>): Term => {
  const t = new Term(url, who, headers);
  terms.push(t);
  return t;
};

let reader: Browser;
let vmOnly: Browser;

beforeAll(async () => {
  tb = readTestbed();
  WebSocketCtor = await loadWebSocket();
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  vmPath = testbedPath(tb, 'Microsoft.Compute/virtualMachines', 'vm-ssh');
  b = await createTestBastion({
    inventory,
    users: [
      { username: 'reader', password: PASSWORD },
      { username: 'vmonly', password: PASSWORD },
      { username: 'revoked', password: PASSWORD },
    ],
    roleAssignments: [
      { assignee: 'reader', role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` },
      { assignee: 'vmonly', role: 'Reader', scope: vmPath },
      { assignee: 'revoked', role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` },
      // Still reads another VM, so the upgrade passes the route's rule and the Connect check itself refuses.
      { assignee: 'revoked', role: 'Reader', scope: vmPath.replace(/vm-ssh$/, 'vm-ssh2') },
    ],
  });
  base = await listenOnLoopback(b.app);
  origin = base;
  reader = await signIn('reader');
  vmOnly = await signIn('vmonly');
});

afterAll(async () => {
  for (const t of terms) t.ws.terminate();
  await b?.dispose();
});

describe('browser SSH over WebSocket', () => {
  it('issues a ticket, opens the shell, relays input and output, and ends on exit', async () => {
    const { ticket, url } = await ticketFor(reader);
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url).toBe(`/api/ssh/connect?ticket=${ticket}`);
    const t = open(url, reader);
    await t.until('ready', () => t.message('ready') !== undefined);
    expect(t.message('ready')).toMatchObject({ hostKey: { fingerprint: expect.stringMatching(/^SHA256:/), status: expect.stringMatching(/^(new|match)$/) } });
    t.ws.send(JSON.stringify({ type: 'resize', cols: 100, rows: 30 }));
    t.ws.send(JSON.stringify({ type: 'ping', t: 7 }));
    await t.until('pong', () => t.message('pong') !== undefined);
    expect(t.message('pong')).toEqual({ type: 'pong', t: 7 });
    t.input('echo $((6*7))\r');
    await t.until('42', () => /[\r\n]42\r?\n/.test(t.text));
    t.input('stty size\r');
    await t.until('stty size', () => t.text.includes('30 100'));
    t.input('exit\r');
    await t.until('closed', () => t.message('closed') !== undefined && t.closeCode !== undefined);
    expect(t.message('closed')).toMatchObject({ reason: 'exited' });
  });

  it('refuses a reused ticket with ticket_invalid', async () => {
    const { url } = await ticketFor(reader);
    const first = open(url, reader);
    await first.until('ready', () => first.message('ready') !== undefined);
    expect(first.message('ready')).toMatchObject({ hostKey: { status: 'match' } });
    const again = open(url, reader);
    await again.until('close', () => again.closeCode !== undefined);
    expect(again.message('error')).toMatchObject({ code: 'ticket_invalid' });
    expect(again.closeCode).toBe(1008);
    first.ws.close();
  });

  it("refuses another user's ticket and an unknown one", async () => {
    const { url } = await ticketFor(reader);
    const other = open(url, vmOnly);
    await other.until('close', () => other.closeCode !== undefined);
    expect(other.message('error')).toMatchObject({ code: 'ticket_invalid' });
    const unknown = open('/api/ssh/connect?ticket=nope', reader);
    await unknown.until('close', () => unknown.closeCode !== undefined);
    expect(unknown.message('error')).toMatchObject({ code: 'ticket_invalid' });
  });

  it('reports a wrong password as auth_failed', async () => {
    const { url } = await ticketFor(reader, { type: 'password', password: 'not-the-password' });
    const t = open(url, reader);
    await t.until('error', () => t.message('error') !== undefined && t.closeCode !== undefined, 20_000);
    expect(t.message('error')).toMatchObject({ code: 'auth_failed' });
    expect(t.message('ready')).toBeUndefined();
  });

  it('refuses a foreign Origin before the upgrade, and keeps the ticket unused', async () => {
    const { url } = await ticketFor(reader);
    const t = open(url, reader, { origin: 'https://evil.example' });
    await t.until('refusal', () => t.closeCode !== undefined || t.error !== undefined);
    expect(t.refusedStatus).toBe(403);
    expect(t.message('ready')).toBeUndefined();
    const noOrigin = open(url, reader, { origin: '' });
    await noOrigin.until('refusal', () => noOrigin.closeCode !== undefined || noOrigin.error !== undefined);
    expect(noOrigin.refusedStatus).toBe(403);
    // Refused before the upgrade: the ticket was not consumed.
    const same = open(url, reader);
    await same.until('ready', () => same.message('ready') !== undefined);
    same.ws.close();
  });

  it('re-runs the Connect check at upgrade: a role removed after the ticket was issued refuses the session', async () => {
    const revoked = await signIn('revoked');
    const { url } = await ticketFor(revoked);
    const admin = await signInAsReadyAdmin(b);
    const list = (await as(b.app, admin, { url: `/api/roleAssignments?scope=${encodeURIComponent(`/subscriptions/${tb.subscriptionId}`)}` })).json() as { value: Array<{ id: string; principalName: string; scope: string }> };
    const assignment = list.value.find((a) => a.principalName === 'revoked' && a.scope === `/subscriptions/${tb.subscriptionId}`);
    expect(assignment).toBeDefined();
    expect((await as(b.app, admin, { method: 'DELETE', url: `/api/roleAssignments/${assignment!.id}` })).statusCode).toBe(204);
    const t = open(url, revoked);
    await t.until('close', () => t.closeCode !== undefined);
    expect(t.message('error')).toMatchObject({ code: 'forbidden' });
    expect(t.closeCode).toBe(1008);
    expect(t.message('ready')).toBeUndefined();
  });

  it('closes with 1002 on a bad frame', async () => {
    const { url } = await ticketFor(reader);
    const t = open(url, reader);
    await t.until('ready', () => t.message('ready') !== undefined);
    t.ws.send(JSON.stringify({ type: 'resize', cols: 0, rows: 10 }));
    await t.until('close', () => t.closeCode !== undefined);
    expect(t.closeCode).toBe(1002);
    expect(t.message('closed')).toMatchObject({ reason: 'protocol_error' });
  });

  it('refuses a ticket to a user without Reader on the NIC (403 naming it), and checks the body strictly', async () => {
    const res = await issueTicket(vmOnly, { type: 'password', password: tb.password });
    expect(res.status, res.body).toBe(403);
    expect(res.body).toContain('Reader');
    const bad = await issueTicket(reader, { type: 'password', password: 'x', extra: 1 });
    expect(bad.status, bad.body).toBe(400);
    const noCookie = await https('POST', `/api${vmPath}/bastionSsh`, { body: { username: 'u', auth: { type: 'password', password: 'x' } } });
    expect(noCookie.status).toBe(401);
  });
});

describe('connect tickets', () => {
  it('are single use, bound to the user, and expire (reported as ticket_expired, credentials dropped)', async () => {
    let now = 1_000;
    const store = new SshTicketStore(30_000, () => now);
    const target = { userId: 'u1', vmId: '/vm', host: '10.0.0.1', port: 22, username: 'x', auth: { type: 'password' as const, password: 'p' } };
    const a = store.issue(target);
    expect(a.expiresAt.getTime()).toBe(31_000);
    expect(store.redeem(a.ticket, 'u1')).toMatchObject({ ok: true, target: { host: '10.0.0.1', port: 22 } });
    expect(store.redeem(a.ticket, 'u1')).toEqual({ ok: false, code: 'ticket_invalid' });
    const b2 = store.issue(target);
    expect(store.redeem(b2.ticket, 'u2')).toEqual({ ok: false, code: 'ticket_invalid' });
    expect(store.redeem(b2.ticket, 'u1')).toEqual({ ok: false, code: 'ticket_invalid' });
    const c = store.issue(target);
    now += 30_000;
    expect(store.redeem(c.ticket, 'u1')).toEqual({ ok: false, code: 'ticket_expired' });
    const real = new SshTicketStore(30);
    const d = real.issue(target);
    await new Promise((r) => setTimeout(r, 80));
    expect([...(real as unknown as { entries: Map<string, { state: string; target?: unknown }> }).entries.values()]).toEqual([expect.objectContaining({ state: 'expired' })]);
    expect([...(real as unknown as { entries: Map<string, { target?: unknown }> }).entries.values()][0]!.target).toBeUndefined();
    expect(real.redeem(d.ticket, 'u1')).toEqual({ ok: false, code: 'ticket_expired' });
    store.clear();
    real.clear();
  });
});
