import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AzureBastionAuditLog, BastionAuditRecord } from '../../../protocol/src/bastion-audit-log.js';
import type { AuditEvent } from '../../../protocol/src/audit-events.js';
import { HostKeyTrust } from '../gateway/ssh/index.js';
import { as, createTestBastion, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * The connection-record read API (GET /api/bastionAuditLogs) and the host-key admin accept
 * (…/virtualMachines/:name/sshHostKeys[/accept]) through inject(), on records and pins seeded directly.
 */
const SUB = 'sub-sshaudit';
const PASSWORD = 'Audit-Pass-123';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-a`;
const vmId = `${rg}/providers/Microsoft.Compute/virtualMachines/vm-a`;
const bastionId = `${rg}/providers/Microsoft.Network/bastionHosts/bas-a`;
const OLD = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const NEW = 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

let b: TestBastion;
let admin: Session;
let reader: Session;

beforeAll(async () => {
  b = await createTestBastion({
    users: [{ username: 'reader', password: PASSWORD }],
    roleAssignments: [{ assignee: 'reader', role: 'Reader', scope: `/subscriptions/${SUB}` }],
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-a' }],
      virtualNetworks: [{ name: 'vnet-a', resourceGroup: 'rg-a', addressSpace: ['10.70.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.70.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.70.1.0/24' }] }],
      virtualMachines: [{ name: 'vm-a', resourceGroup: 'rg-a', osType: 'linux', nics: [{ name: 'nic-a', virtualNetwork: 'vnet-a', subnet: 'snet-vms', privateIpAddress: '10.70.1.4' }] }],
      bastionHosts: [{ name: 'bas-a', resourceGroup: 'rg-a', virtualNetwork: 'vnet-a' }],
    },
  });
  admin = await signInAsReadyAdmin(b);
  reader = await signIn(b.app, 'reader', PASSWORD);
});

afterAll(async () => {
  await b?.dispose();
});

const auditEvents = async (type: string): Promise<AuditEvent[]> => ((await as(b.app, admin, { url: `/api/audit?type=${type}` })).json() as { value: AuditEvent[] }).value;

describe('GET /api/bastionAuditLogs', () => {
  let ok: BastionAuditRecord;
  beforeAll(async () => {
    const base = { protocol: 'ssh' as const, bastionResourceId: bastionId, userName: 'vmuser', principalId: 'p1', userAgent: 'ua', clientIpAddress: '192.0.2.1', clientPort: 40000, targetResourceId: vmId, targetVMIPAddress: '10.70.1.4', targetPort: 22 };
    const first = await b.connections.start({ ...base, sessionId: 's-1', principalName: 'reader', startTime: '2026-05-01T10:00:00.000Z' });
    ok = (await b.connections.end(await b.connections.connected(first), { kind: 'ended', reason: 'exited', endTime: '2026-05-01T10:05:00.000Z', bytesIn: 10, bytesOut: 2000 })).record;
    const second = await b.connections.start({ ...base, sessionId: 's-2', principalName: 'admin', startTime: '2026-05-01T11:00:00.000Z' });
    await b.connections.end(second, { kind: 'failed', errorCode: 'auth_failed', message: 'Authentication failed.', endTime: '2026-05-01T11:00:01.000Z' });
  });

  it('needs the audit-read action: a Reader of the subscription is refused', async () => {
    const res = await as(b.app, reader, { url: '/api/bastionAuditLogs' });
    expect(res.statusCode, res.body).toBe(403);
  });

  it('lists records newest first, filtered by VM (any casing), user and time', async () => {
    const all = (await as(b.app, admin, { url: '/api/bastionAuditLogs' })).json() as { value: BastionAuditRecord[] };
    expect(all.value.map((r) => r.sessionId)).toEqual(['s-2', 's-1']);
    expect(all.value[1]).toEqual(ok);
    const byUser = (await as(b.app, admin, { url: `/api/bastionAuditLogs?user=READER&vm=${encodeURIComponent(vmId.toUpperCase())}` })).json() as { value: BastionAuditRecord[] };
    expect(byUser.value.map((r) => r.sessionId)).toEqual(['s-1']);
    const since = (await as(b.app, admin, { url: '/api/bastionAuditLogs?since=2026-05-01T10:30:00%2B00:00&limit=5' })).json() as { value: BastionAuditRecord[] };
    expect(since.value.map((r) => r.sessionId)).toEqual(['s-2']);
    const until = (await as(b.app, admin, { url: '/api/bastionAuditLogs?until=2026-05-01T10:00:00Z' })).json() as { value: BastionAuditRecord[] };
    expect(until.value.map((r) => r.sessionId)).toEqual(['s-1']);
  });

  it("renders Azure's BastionAuditLogs envelope with format=azure", async () => {
    const res = (await as(b.app, admin, { url: '/api/bastionAuditLogs?format=azure' })).json() as { value: AzureBastionAuditLog[] };
    expect(res.value[0]).toMatchObject({ operationName: 'Microsoft.Network/BastionHost/connect', category: 'BastionAuditLogs', level: 'Warning', resourceId: bastionId });
    expect(res.value[1]).toMatchObject({ level: 'Informational', time: '2026-05-01T10:00:00.000Z', properties: { userEmail: 'reader', userName: 'vmuser', subscriptionId: SUB, message: 'Successfully Connected.', bytesOut: 2000 } });
  });

  it('refuses a bad date or an unknown filter with 400', async () => {
    const bad = await as(b.app, admin, { url: '/api/bastionAuditLogs?since=yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('since must be an ISO 8601');
    expect((await as(b.app, admin, { url: '/api/bastionAuditLogs?vmId=x' })).statusCode).toBe(400);
  });
});

describe('SSH host keys of a VM', () => {
  const url = `/api${vmId}/sshHostKeys`;
  beforeAll(async () => {
    const trust = new HostKeyTrust(b.store.db);
    await trust.check(vmId, '10.70.1.4', 22, 'ssh-ed25519', OLD);
    await trust.check(vmId, '10.70.1.4', 22, 'ssh-ed25519', NEW); // the VM now offers another key
  });

  it('shows the pinned key and the offered one to a reader of the VM, who cannot accept it', async () => {
    const res = await as(b.app, reader, { url });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ value: [{ port: 22, host: '10.70.1.4', keyType: 'ssh-ed25519', fingerprint: OLD, firstSeenAt: expect.any(String), acceptedBy: null, offered: { fingerprint: NEW, keyType: 'ssh-ed25519', seenAt: expect.any(String) } }] });
    const refused = await as(b.app, reader, { method: 'POST', url: `${url}/accept`, payload: { fingerprint: NEW } });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Microsoft.Compute/virtualMachines/write');
  });

  it('accepts only the key the VM offered, audited with both fingerprints', async () => {
    const wrong = await as(b.app, admin, { method: 'POST', url: `${url}/accept`, payload: { fingerprint: OLD.replace('AAAA', 'CCCC') } });
    expect(wrong.statusCode, wrong.body).toBe(409);
    expect(wrong.body).toContain(NEW);
    expect((await as(b.app, admin, { method: 'POST', url: `${url}/accept`, payload: { fingerprint: 'MD5:aa' } })).statusCode).toBe(400);

    const res = await as(b.app, admin, { method: 'POST', url: `${url}/accept`, payload: { fingerprint: NEW } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ fingerprint: NEW, acceptedBy: 'admin', offered: null });
    const [event] = await auditEvents('ssh.hostkey.accepted');
    expect(event).toMatchObject({ code: 'S2001I', actor: 'admin', target: vmId, details: { oldFingerprint: OLD, newFingerprint: NEW, port: 22 } });
    // Nothing is offered any more: accepting again is a no-op answer, anything else a conflict.
    expect((await as(b.app, admin, { method: 'POST', url: `${url}/accept`, payload: { fingerprint: NEW } })).statusCode).toBe(200);
    expect((await as(b.app, admin, { method: 'POST', url: `${url}/accept`, payload: { fingerprint: OLD } })).statusCode).toBe(409);
  });

  it('answers 404 for an unknown VM', async () => {
    expect((await as(b.app, admin, { url: url.replace('vm-a', 'vm-zz') })).statusCode).toBe(404);
  });
});

describe('connect tickets', () => {
  it('issuing one writes ssh.ticket.issued, without the ticket or the password', async () => {
    const res = await as(b.app, reader, { method: 'POST', url: `/api${vmId}/bastionSsh`, payload: { username: 'vmuser', auth: { type: 'password', password: 'Secret-Pw-1' } } });
    expect(res.statusCode, res.body).toBe(201);
    const { ticket } = res.json() as { ticket: string };
    const [event] = await auditEvents('ssh.ticket.issued');
    expect(event).toMatchObject({ code: 'S1000I', actor: 'reader', target: vmId, details: { userName: 'vmuser', port: 22, authType: 'password' } });
    expect(JSON.stringify(event)).not.toContain(ticket);
    expect(JSON.stringify(event)).not.toContain('Secret-Pw-1');
  });
});
