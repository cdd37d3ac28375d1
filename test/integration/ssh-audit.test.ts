import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BastionAuditRecord } from '../../packages/protocol/src/bastion-audit-log.js';
import { FLOW_CONTROL } from '../../packages/protocol/src/ssh-messages.js';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { DEFAULT_MAX_BUFFERED_BYTES } from '../../packages/server/src/gateway/ssh/relay.js';
import { as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { BastionClient, type BrowserSession, type WsTerm } from '../helpers/ssh-ws-client.js';
import { readTestbed, run, testbedPath, testbedVm, type TestbedInfo } from '../helpers/testbed.js';
import { waitForEndedRecord } from '../helpers/connection-records.js';
import { listenOnLoopback } from '../helpers/listen.js';

/**
 * Connection records, host-key accept and relay bounds (design 0003, "Audit events" and "Test plan") on the
 * testbed's real sshd, through a real HTTPS listener and the `ws` client. The crash case (kill -9 of a
 * bastion process) is in ssh-audit-crash.test.ts.
 */
const PASSWORD = 'Audit-Test-Pass-1';
let tb: TestbedInfo;
let b: TestBastion;
let client: BastionClient;
let reader: BrowserSession;
let admin: Session;
const vmPath = (name: string) => testbedPath(tb, 'Microsoft.Compute/virtualMachines', name);
const terms: WsTerm[] = [];

async function connect(vm = 'vm-ssh', password = tb.password): Promise<WsTerm> {
  const { url } = await client.ticket(reader, vmPath(vm), tb.user, { type: 'password', password });
  const t = await client.terminal(url, reader);
  terms.push(t);
  return t;
}

const endedRecord = (sessionId: string) => waitForEndedRecord(b.connections, sessionId);

const auditEvents = async (type: string): Promise<Array<{ code: string; actor: string | null; target: string | null; details: Record<string, unknown> }>> =>
  ((await as(b.app, admin, { url: `/api/audit?type=${type}` })).json() as { value: Array<{ code: string; actor: string | null; target: string | null; details: Record<string, unknown> }> }).value;

const newest = async (vm: string): Promise<BastionAuditRecord> => {
  const res = await as(b.app, admin, { url: `/api/bastionAuditLogs?vm=${encodeURIComponent(vmPath(vm))}&limit=1` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { value: BastionAuditRecord[] }).value[0]!;
};

beforeAll(async () => {
  tb = readTestbed();
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  b = await createTestBastion({
    inventory,
    users: [{ username: 'reader', password: PASSWORD }],
    roleAssignments: [{ assignee: 'reader', role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` }],
  });
  client = new BastionClient(await listenOnLoopback(b.app));
  reader = await client.signIn('reader', PASSWORD);
  admin = await signInAsReadyAdmin(b);
});

afterAll(async () => {
  for (const t of terms) t.ws.terminate();
  await b?.dispose();
});

describe('connection records', () => {
  it('a session yields a record: connected, bytes each way, end time and reason', async () => {
    const t = await connect();
    const ready = await t.ready();
    const sessionId = String(ready.sessionId);
    // Committed before the VM was reached, completed on connect.
    expect(await b.connections.get(sessionId)).toMatchObject({ message: 'Successfully Connected.', endTime: null });
    await t.run('echo $((6*7))', /[\r\n]42\r?\n/);
    t.input('exit\r');
    await t.until('closed', () => t.message('closed') !== undefined);
    const r = await endedRecord(sessionId);
    expect(r).toMatchObject({
      protocol: 'ssh',
      userName: tb.user,
      principalName: 'reader',
      clientIpAddress: '127.0.0.1',
      clientPort: expect.any(Number),
      targetResourceId: vmPath('vm-ssh'),
      targetVMIPAddress: testbedVm(tb, 'vm-ssh').ip,
      targetPort: 22,
      bastionResourceId: testbedPath(tb, 'Microsoft.Network/bastionHosts', tb.bastionHost),
      message: 'Successfully Connected.',
      errorCode: null,
      endReason: expect.stringMatching(/^(exited|client_closed)$/),
    });
    expect(r.bytesIn).toBeGreaterThanOrEqual('echo $((6*7))\rexit\r'.length);
    expect(r.bytesOut).toBeGreaterThan(0);
    expect(r.durationMs).toBeGreaterThan(0);
    expect(await newest('vm-ssh')).toEqual(r);
    // This bastion had never seen vm-ssh: its key was pinned, and that is an audit event.
    const pinned = (await auditEvents('ssh.hostkey.pinned')).find((e) => e.target === vmPath('vm-ssh'));
    expect(pinned).toMatchObject({ code: 'S2000I', actor: 'reader', details: { fingerprint: (ready.hostKey as { fingerprint: string }).fingerprint, port: 22 } });
    expect((await auditEvents('ssh.ticket.issued'))[0]).toMatchObject({ actor: 'reader', target: vmPath('vm-ssh') });
  });

  it('refusals before a record can exist (replayed ticket, foreign origin) are audit events, not records', async () => {
    const before = (await b.connections.list({ limit: 1000 })).length;
    const { url } = await client.ticket(reader, vmPath('vm-ssh'), tb.user, { type: 'password', password: tb.password });
    const foreign = await client.terminal(url, reader, { origin: 'https://evil.example' });
    terms.push(foreign);
    await foreign.until('refusal', () => foreign.closeCode !== undefined || foreign.error !== undefined);
    expect(foreign.refusedStatus).toBe(403);
    const first = await client.terminal(url, reader);
    terms.push(first);
    await first.ready();
    const replay = await client.terminal(url, reader);
    terms.push(replay);
    await replay.until('refusal', () => replay.closeCode !== undefined);
    expect(replay.message('error')).toMatchObject({ code: 'ticket_invalid' });
    first.ws.close();
    const reasons = (await auditEvents('ssh.ticket.rejected')).map((e) => e.details.reason);
    expect(reasons.slice(0, 2)).toEqual(['ticket_invalid', 'origin']);
    expect((await b.connections.list({ limit: 1000 })).length).toBe(before + 1);
  });

  it('a wrong password yields a failed record with the message the user saw', async () => {
    const t = await connect('vm-ssh', 'not-the-password');
    await t.until('error', () => t.message('error') !== undefined, 20_000);
    expect(t.message('error')).toMatchObject({ code: 'auth_failed' });
    const r = await newest('vm-ssh');
    expect(r).toMatchObject({ endReason: 'failed', errorCode: 'auth_failed', message: expect.stringContaining('Authentication failed'), endTime: expect.any(String) });
    expect(r.message).toBe(t.message('error')!.message);
  });

  it('sessions still open when the server closes end as server_shutdown', async () => {
    const other = await createTestBastion({
      inventory: (readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig }).inventory,
      users: [{ username: 'reader', password: PASSWORD }],
      roleAssignments: [{ assignee: 'reader', role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` }],
    });
    try {
      const c = new BastionClient(await listenOnLoopback(other.app));
      const who = await c.signIn('reader', PASSWORD);
      const t = await c.terminal((await c.ticket(who, vmPath('vm-ssh'), tb.user, { type: 'password', password: tb.password })).url, who);
      terms.push(t);
      const sessionId = String((await t.ready()).sessionId);
      await other.app.close(); // preClose ends the sessions and waits for their records
      await t.until('closed', () => t.message('closed') !== undefined);
      expect(t.message('closed')).toMatchObject({ reason: 'server_shutdown' });
      expect(await other.connections.get(sessionId)).toMatchObject({ endReason: 'server_shutdown', message: 'Successfully Connected.', endTime: expect.any(String) });
    } finally {
      await other.dispose();
    }
  });
});

describe('host key changed → admin accept', () => {
  const keyFile = () => `${testbedVm(tb, 'vm-ssh2').stateDir}/ssh_host_ed25519_key`;
  let saved: { key: Buffer; pub: Buffer } | undefined;
  afterAll(() => {
    // Put vm-ssh2's own key back (sshd reads it again for every connection).
    if (saved) {
      writeFileSync(keyFile(), saved.key, { mode: 0o600 });
      writeFileSync(`${keyFile()}.pub`, saved.pub, { mode: 0o644 });
    }
  });

  it('refuses with both fingerprints, records the mismatch, and connects again once an administrator accepts', async () => {
    const first = await connect('vm-ssh2');
    const pinned = String(((await first.ready()).hostKey as { fingerprint: string }).fingerprint);
    first.ws.close();

    // The VM gets a new host key.
    saved = { key: readFileSync(keyFile()), pub: readFileSync(`${keyFile()}.pub`) };
    const tmp = `${keyFile()}.test-new`;
    const gen = await run('bash', ['-c', `rm -f ${tmp} ${tmp}.pub && ssh-keygen -q -t ed25519 -N '' -C audit-test -f ${tmp} && cat ${tmp} > ${keyFile()} && cat ${tmp}.pub > ${keyFile()}.pub && rm -f ${tmp} ${tmp}.pub`]);
    expect(gen.code, gen.stderr).toBe(0);
    const offered = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${keyFile()}.pub`])).stdout.split(' ')[1]!;
    expect(offered).not.toBe(pinned);

    const refused = await connect('vm-ssh2');
    await refused.until('error', () => refused.message('error') !== undefined, 20_000);
    const error = refused.message('error')!;
    expect(error.code).toBe('host_key_changed');
    expect(error.message).toContain('possible man-in-the-middle');
    expect(error.message).toContain(pinned);
    expect(error.message).toContain(offered);
    expect(await newest('vm-ssh2')).toMatchObject({ endReason: 'failed', errorCode: 'host_key_changed', message: error.message });
    const mismatch = (await auditEvents('ssh.hostkey.mismatch'))[0];
    expect(mismatch?.details).toMatchObject({ expectedFingerprint: pinned, offeredFingerprint: offered });

    // What the VM page shows, and the administrator's accept.
    const keysUrl = `/api${vmPath('vm-ssh2')}/sshHostKeys`;
    const keys = (await client.request('GET', keysUrl, { who: reader })).body;
    expect(JSON.parse(keys)).toMatchObject({ value: [{ port: 22, fingerprint: pinned, offered: { fingerprint: offered } }] });
    expect((await client.request('POST', `${keysUrl}/accept`, { who: reader, body: { fingerprint: offered } })).status).toBe(403);
    const accepted = await as(b.app, admin, { method: 'POST', url: `${keysUrl}/accept`, payload: { fingerprint: offered } });
    expect(accepted.statusCode, accepted.body).toBe(200);

    const again = await connect('vm-ssh2');
    expect((await again.ready()).hostKey).toMatchObject({ fingerprint: offered, status: 'match' });
    again.ws.close();
  });
});

describe('relay bounds', () => {
  it('a 50 MB burst completes while the client acks slowly, with RSS and buffers bounded', async () => {
    const t = await connect();
    const sessionId = String((await t.ready()).sessionId);
    await t.prompt();
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
    try {
      t.slowAck(256 * 1024, 10); // ≈ 25 MB/s
      const before = t.received;
      const started = Date.now();
      await t.run('head -c 50000000 /dev/urandom | base64; echo FLOOD-$((1+1))-DONE', /FLOOD-2-DONE\r\n(\x1b\[\?2004h)?bst-ready> $/, 120_000);
      const stats = b.liveSessions.get(sessionId)!.stats()!;
      console.log(
        `[ws flood] ${((t.received - before) / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
          `max unacked ${stats.maxUnackedBytes}, max ws buffer ${stats.maxBufferedAmount}; RSS +${((rssPeak - rssBefore) / 1e6).toFixed(1)} MB`,
      );
      expect(t.received - before).toBeGreaterThan(66_000_000);
      expect(stats.maxUnackedBytes).toBeLessThanOrEqual(FLOW_CONTROL.HIGH_WATER + 64 * 1024);
      expect(stats.maxBufferedAmount).toBeLessThanOrEqual(DEFAULT_MAX_BUFFERED_BYTES + 64 * 1024);
      expect(rssPeak - rssBefore).toBeLessThan(64 * 1024 * 1024);
    } finally {
      clearInterval(sampler);
      t.fastAck();
      t.ws.close();
    }
  });

  it('Ctrl-C stops `cat /dev/urandom | base64` within 1 s', async () => {
    const t = await connect();
    await t.ready();
    await t.prompt();
    t.text = '';
    t.input('cat /dev/urandom | base64\r');
    await t.until('flood', () => t.received > 2_000_000, 20_000);
    const started = Date.now();
    t.input('\x03');
    await t.until('prompt after ^C', () => /\^C\r\n(\x1b\[\?2004h)?bst-ready> $/.test(t.text), 10_000);
    const ms = Date.now() - started;
    console.log(`[ws ctrl-c] prompt back ${ms} ms after Ctrl-C`);
    expect(ms).toBeLessThan(1000);
    const after = t.received;
    await new Promise((r) => setTimeout(r, 300));
    expect(t.received - after).toBeLessThan(1024);
    t.ws.close();
  });
});
