import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActiveSession, DisconnectResult } from '../../../protocol/src/active-sessions.js';
import type { AuditEvent } from '../../../protocol/src/audit-events.js';
import type { BastionAuditStart } from '../../../protocol/src/bastion-audit-log.js';
import type { LiveSession, ServerEndReason } from '../sessions/live-sessions.js';
import { as, createTestBastion, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * The Sessions API (getActiveSessions / disconnectActiveSessions), bastion limits in the ARM PUT, the
 * audit exports, /metrics and /readyz, through inject() with live-session entries registered directly
 * (the real relays are exercised in test/integration/session-ops.test.ts).
 */
const SUB = 'sub-sessions';
const PASSWORD = 'Sessions-Pass-123';
const METRICS_TOKEN = 'metrics-token-0123456789';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-s`;
const vmId = `${rg}/providers/Microsoft.Compute/virtualMachines/vm-s`;
const bastionId = `${rg}/providers/Microsoft.Network/bastionHosts/bas-s`;
const api = `/api${bastionId}`;

let b: TestBastion;
let admin: Session;
let reader: Session;
let contributor: Session;

const ended: Array<{ sessionId: string; reason: ServerEndReason; message: string }> = [];
function fakeSession(sessionId: string, protocol: 'ssh' | 'rdp', bastion: string | null = bastionId): LiveSession {
  const info: BastionAuditStart = {
    sessionId,
    protocol,
    bastionResourceId: bastion,
    userName: 'azureuser',
    principalName: 'alice',
    principalId: 'u-alice',
    userAgent: 'test',
    clientIpAddress: '192.0.2.7',
    clientPort: 50000,
    targetResourceId: vmId,
    targetVMIPAddress: '10.71.1.4',
    targetPort: protocol === 'ssh' ? 22 : 3389,
    startTime: new Date(Date.now() - 90_000).toISOString(),
  };
  let unregister = (): void => undefined;
  const s: LiveSession = {
    sessionId,
    protocol,
    info,
    stats: () => ({ bytesIn: 12, bytesOut: 3400, maxUnackedBytes: 0, maxBufferedAmount: 0 }),
    shutdown: async () => unregister(),
    terminate: async (reason, message) => {
      ended.push({ sessionId, reason, message });
      unregister();
    },
  };
  unregister = b.liveSessions.add(s);
  return s;
}

beforeAll(async () => {
  b = await createTestBastion({
    users: [
      { username: 'reader', password: PASSWORD },
      { username: 'contrib', password: PASSWORD },
    ],
    roleAssignments: [
      { assignee: 'reader', role: 'Reader', scope: `/subscriptions/${SUB}` },
      { assignee: 'contrib', role: 'Contributor', scope: rg },
    ],
    metrics: { token: METRICS_TOKEN },
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-s' }],
      virtualNetworks: [{ name: 'vnet-s', resourceGroup: 'rg-s', addressSpace: ['10.71.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.71.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.71.1.0/24' }] }],
      virtualMachines: [{ name: 'vm-s', resourceGroup: 'rg-s', osType: 'linux', nics: [{ name: 'nic-s', virtualNetwork: 'vnet-s', subnet: 'snet-vms', privateIpAddress: '10.71.1.4' }] }],
      bastionHosts: [{ name: 'bas-s', resourceGroup: 'rg-s', virtualNetwork: 'vnet-s', idleTimeoutMinutes: 15 }],
    },
  });
  admin = await signInAsReadyAdmin(b);
  reader = await signIn(b.app, 'reader', PASSWORD);
  contributor = await signIn(b.app, 'contrib', PASSWORD);
});

afterAll(async () => {
  await b?.dispose();
});

const list = async (who: Session, url = `${api}/getActiveSessions`) => as(b.app, who, { method: 'POST', url });
const disconnect = (who: Session, ids: string[]) => as(b.app, who, { method: 'POST', url: `${api}/disconnectActiveSessions`, payload: { value: ids } });

describe('getActiveSessions / disconnectActiveSessions', () => {
  it('lists the live sessions through the bastion in Azure’s shape (other bastions left out)', async () => {
    fakeSession('s-ssh', 'ssh');
    fakeSession('s-rdp', 'rdp');
    fakeSession('s-elsewhere', 'ssh', `${rg}/providers/Microsoft.Network/bastionHosts/other`);
    const res = await list(admin);
    expect(res.statusCode, res.body).toBe(200);
    const value = (res.json() as { value: ActiveSession[] }).value;
    expect(value.map((s) => s.sessionId).sort()).toEqual(['s-rdp', 's-ssh']);
    expect(value.find((s) => s.sessionId === 's-ssh')).toMatchObject({
      targetSubscriptionId: SUB,
      resourceType: 'VM',
      targetHostName: 'vm-s',
      targetResourceGroup: 'rg-s',
      userName: 'azureuser',
      targetIpAddress: '10.71.1.4',
      protocol: 'SSH',
      targetResourceId: vmId,
      bytesIn: 12,
      bytesOut: 3400,
      principalName: 'alice',
      clientIpAddress: '192.0.2.7',
    });
    expect(value[0]!.sessionDurationInMins).toBeGreaterThanOrEqual(1.4);
  });

  it('the bastion must exist; a Reader may neither list nor disconnect; a Contributor may both', async () => {
    expect((await list(admin, `/api${rg}/providers/Microsoft.Network/bastionHosts/nope/getActiveSessions`)).statusCode).toBe(404);
    expect((await list(reader)).statusCode).toBe(403);
    const denied = await disconnect(reader, ['s-ssh']);
    expect(denied.statusCode).toBe(403);
    expect(ended).toEqual([]);
    expect((await list(contributor)).statusCode).toBe(200);
  });

  it('disconnects: the session ends as terminated with the administrator message, audited as O1000I', async () => {
    const res = await disconnect(admin, ['s-ssh', 'missing', 's-elsewhere']);
    expect(res.statusCode, res.body).toBe(200);
    const value = (res.json() as { value: DisconnectResult[] }).value;
    expect(value.map((r) => [r.sessionId, r.state])).toEqual([
      ['s-ssh', 'Disconnected'],
      ['missing', 'NotFound'],
      ['s-elsewhere', 'NotFound'],
    ]);
    expect(ended).toEqual([{ sessionId: 's-ssh', reason: 'terminated', message: 'You have been disconnected by an administrator.' }]);
    const events = ((await as(b.app, admin, { url: '/api/audit?type=session.terminated' })).json() as { value: AuditEvent[] }).value;
    expect(events[0]).toMatchObject({ code: 'O1000I', actor: 'admin', target: vmId, details: { sessionId: 's-ssh', principalName: 'alice', bastionResourceId: bastionId } });
    expect(((await list(admin)).json() as { value: ActiveSession[] }).value.map((s) => s.sessionId)).toEqual(['s-rdp']);
    expect((await disconnect(admin, [])).statusCode).toBe(400);
  });

  it('a failing terminate answers Failed', async () => {
    const s = fakeSession('s-bad', 'ssh');
    (s as { terminate: LiveSession['terminate'] }).terminate = () => Promise.reject(new Error('boom'));
    const value = ((await disconnect(admin, ['s-bad'])).json() as { value: DisconnectResult[] }).value;
    expect(value[0]).toMatchObject({ state: 'Failed' });
  });

  it('/api/auth/me says who may see the Sessions page', async () => {
    const me = async (who: Session) => ((await as(b.app, who, { url: '/api/auth/me' })).json() as { user: { permissions: { viewSessions: boolean } } }).user.permissions.viewSessions;
    expect(await me(admin)).toBe(true);
    expect(await me(contributor)).toBe(true);
    expect(await me(reader)).toBe(false);
  });
});

describe('bastion limits', () => {
  it('come from the configuration file and the ARM PUT (PUT replaces: omitted ones get defaults)', async () => {
    const get = async () => ((await as(b.app, admin, { url: api })).json() as { properties: Record<string, unknown> }).properties;
    expect(await get()).toMatchObject({ idleTimeoutMinutes: 15, maxSessionMinutes: 0 });
    const vnet = { id: `${rg}/providers/Microsoft.Network/virtualNetworks/vnet-s` };
    const put = (properties: object) => as(b.app, admin, { method: 'PUT', url: api, payload: { properties: { virtualNetwork: vnet, ...properties } } });
    expect((await put({ idleTimeoutMinutes: 0.5, maxSessionMinutes: 480 })).statusCode).toBe(200);
    expect(await get()).toMatchObject({ idleTimeoutMinutes: 0.5, maxSessionMinutes: 480 });
    expect((await put({})).statusCode).toBe(200);
    expect(await get()).toMatchObject({ idleTimeoutMinutes: 20, maxSessionMinutes: 0 });
    const bad = await put({ idleTimeoutMinutes: 0.01 });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/idleTimeoutMinutes must be 0 \(off\) or a number of minutes/);
    expect((await put({ maxSessionMinutes: -1 })).statusCode).toBe(400);
  });
});

describe('audit exports', () => {
  beforeAll(async () => {
    const base = { protocol: 'ssh' as const, bastionResourceId: bastionId, userName: '=cmd|calc', principalId: 'p1', userAgent: 'ua', clientIpAddress: '192.0.2.1', clientPort: 40000, targetResourceId: vmId, targetVMIPAddress: '10.71.1.4', targetPort: 22 };
    const ok = await b.connections.start({ ...base, sessionId: 'x-1', principalName: 'alice', startTime: '2026-05-01T10:00:00.000Z' });
    await b.connections.end(await b.connections.connected(ok), { kind: 'ended', reason: 'terminated', endTime: '2026-05-01T10:05:00.000Z', bytesIn: 1, bytesOut: 2 });
    const bad = await b.connections.start({ ...base, protocol: 'rdp', sessionId: 'x-2', principalName: 'bob', startTime: '2026-05-01T11:00:00.000Z' });
    await b.connections.end(bad, { kind: 'failed', errorCode: 'refused', message: 'Refused.', endTime: '2026-05-01T11:00:01.000Z' });
  });

  it('filters by protocol and outcome', async () => {
    const ids = async (q: string) => ((await as(b.app, admin, { url: `/api/bastionAuditLogs?${q}` })).json() as { value: Array<{ sessionId: string }> }).value.map((r) => r.sessionId);
    expect(await ids('outcome=succeeded')).toEqual(['x-1']);
    expect(await ids('outcome=failed')).toEqual(['x-2']);
    expect(await ids('protocol=rdp')).toEqual(['x-2']);
    expect(await ids('protocol=ssh&user=ALICE')).toEqual(['x-1']);
  });

  it('CSV: an attachment, formula cells neutralised; JSON lines: one record per line', async () => {
    const csv = await as(b.app, admin, { url: '/api/bastionAuditLogs?format=csv&protocol=ssh' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="bastion-audit-logs-\d{8}T\d{6}Z\.csv"$/);
    const [header, row] = csv.body.split('\r\n');
    expect(header!.split(',')).toContain('endReason');
    expect(row).toContain("'=cmd|calc");
    expect(row).toContain('terminated');
    const jsonl = await as(b.app, admin, { url: '/api/bastionAuditLogs?format=jsonl&outcome=failed' });
    expect(jsonl.headers['content-disposition']).toMatch(/\.jsonl"$/);
    const lines = jsonl.body.trim().split('\n').map((l) => JSON.parse(l) as { sessionId: string; endReason: string });
    expect(lines).toEqual([expect.objectContaining({ sessionId: 'x-2', endReason: 'failed' })]);
    expect((await as(b.app, reader, { url: '/api/bastionAuditLogs?format=csv' })).statusCode).toBe(403);
    expect((await as(b.app, admin, { url: '/api/bastionAuditLogs?limit=5000' })).statusCode).toBe(400);
  });

  it('the general audit events filter by outcome and time and export too', async () => {
    const res = await as(b.app, admin, { url: '/api/audit?outcome=denied&format=csv' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body.split('\r\n')[0]).toBe('id,time,type,code,outcome,actor,clientIp,userAgent,target,message,details');
    expect(res.body).toContain('access.denied');
    const future = await as(b.app, admin, { url: '/api/audit?since=2999-01-01T00:00:00Z' });
    expect((future.json() as { value: unknown[] }).value).toEqual([]);
    expect((await as(b.app, admin, { url: '/api/audit?since=yesterday' })).statusCode).toBe(400);
  });
});

describe('/metrics and /readyz', () => {
  it('metrics need the bearer token or an admin session', async () => {
    expect((await b.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await b.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-000000000' } })).statusCode).toBe(401);
    expect((await as(b.app, reader, { url: '/metrics' })).statusCode).toBe(403);
    expect((await as(b.app, admin, { url: '/metrics' })).statusCode).toBe(200);
    const res = await b.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toMatch(/^bastion_live_sessions\{protocol="rdp"\} 1$/m);
    expect(res.body).toMatch(/^bastion_relayed_bytes_total\{protocol="ssh",direction="out"\} \d+$/m);
    expect(res.body).toContain('# TYPE bastion_connect_duration_seconds histogram');
    expect(res.body).toMatch(/^bastion_auth_failures_total\{kind="portal"\} \d+$/m);
  });

  it('sign-in failures are counted', async () => {
    const value = async () => Number(/^bastion_auth_failures_total\{kind="portal"\} (\d+)$/m.exec((await as(b.app, admin, { url: '/metrics' })).body)![1]);
    const before = await value();
    await b.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'reader', password: 'wrong-password' }, remoteAddress: '127.0.0.77' });
    expect(await value()).toBe(before + 1);
  });

  it('readyz answers 503 once the bastion is shutting down', async () => {
    expect((await b.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    await b.liveSessions.shutdown();
    const res = await b.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ reason: 'shutting down' });
  });
});
