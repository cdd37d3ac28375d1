import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../protocol/src/audit-events.js';
import type { BastionAuditRecord } from '../../../protocol/src/bastion-audit-log.js';
import type { RecordingInfo } from '../../../protocol/src/recordings.js';
import type { SshRecording } from '../recordings/index.js';
import { as, createTestBastion, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/** The recordings API (design 0006) through inject(): RBAC per VM, metadata, files, audit, retention, recovery. */
const SUB = 'sub-rec';
const PASSWORD = 'Recordings-Pass-1';
const vmId = (rg: string, name: string) => `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
const VM_A = vmId('rg-a', 'vm-a');
const VM_B = vmId('rg-b', 'vm-b');

let b: TestBastion;
let admin: Session;
let reader: Session;
let operator: Session;
let seq = 0;

const vnet = (rg: string, n: number) => ({ name: `vnet-${rg}`, resourceGroup: rg, addressSpace: [`10.${n}.0.0/16`], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: `10.${n}.0.0/26` }, { name: 'snet', addressPrefix: `10.${n}.1.0/24` }] });
const vm = (rg: string, name: string, n: number) => ({ name, resourceGroup: rg, osType: 'linux' as const, nics: [{ name: `${name}-nic`, virtualNetwork: `vnet-${rg}`, subnet: 'snet', privateIpAddress: `10.${n}.1.4` }] });

beforeAll(async () => {
  b = await createTestBastion({
    users: [
      { username: 'reader', password: PASSWORD },
      { username: 'operator', password: PASSWORD },
    ],
    roleAssignments: [
      { assignee: 'reader', role: 'Reader', scope: `/subscriptions/${SUB}` },
      { assignee: 'operator', role: 'Contributor', scope: `/subscriptions/${SUB}/resourceGroups/rg-a` },
    ],
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-a' }, { name: 'rg-b' }],
      virtualNetworks: [vnet('rg-a', 71), vnet('rg-b', 72)],
      virtualMachines: [vm('rg-a', 'vm-a', 71), vm('rg-b', 'vm-b', 72)],
    },
  });
  admin = await signInAsReadyAdmin(b);
  reader = await signIn(b.app, 'reader', PASSWORD);
  operator = await signIn(b.app, 'operator', PASSWORD);
});

afterAll(async () => {
  await b?.dispose();
});

async function connection(vm: string, user: string, protocol: 'ssh' | 'rdp' = 'ssh', startTime = new Date().toISOString()): Promise<BastionAuditRecord> {
  const id = `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;
  return b.connections.start({ sessionId: id, protocol, bastionResourceId: null, userName: 'vmuser', principalName: user, principalId: 'p', userAgent: null, clientIpAddress: '192.0.2.1', clientPort: null, targetResourceId: vm, targetVMIPAddress: '10.71.1.4', targetPort: 22, startTime });
}

async function sshRecording(vm: string, user: string, startTime?: string): Promise<{ record: BastionAuditRecord; rec: SshRecording }> {
  const record = await connection(vm, user, 'ssh', startTime);
  const started = await b.recordings.startSsh(record, { cols: 80, rows: 24 }, () => undefined);
  if (!started.ok || !started.recording) throw new Error('not started');
  return { record, rec: started.recording };
}

const list = async (who: Session, query = ''): Promise<RecordingInfo[]> => {
  const res = await as(b.app, who, { url: `/api/recordings${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { value: RecordingInfo[] }).value;
};
const auditEvents = async (type: string): Promise<AuditEvent[]> => ((await as(b.app, admin, { url: `/api/audit?type=${type}` })).json() as { value: AuditEvent[] }).value;

describe('recordings API', () => {
  let done: BastionAuditRecord;
  let live: BastionAuditRecord;
  let liveRec: SshRecording;
  let other: BastionAuditRecord;
  beforeAll(async () => {
    const first = await sshRecording(VM_A, 'operator');
    first.rec.output(Buffer.from('$ echo $((6*7))\r\n42\r\n'));
    await first.rec.close();
    done = first.record;
    const second = await sshRecording(VM_A, 'admin');
    second.rec.output(Buffer.from('still running'));
    live = second.record;
    liveRec = second.rec;
    other = await connection(VM_B, 'admin', 'rdp');
    const rdp = await b.recordings.startRdp(other, () => undefined);
    if (!rdp.ok || !rdp.recording) throw new Error('rdp not started');
    rdp.recording.fromClient(Buffer.from([3, 0, 0, 7, 2, 0xf0, 0x80]));
    await rdp.recording.close();
  });
  afterAll(async () => {
    await liveRec.close();
  });

  it('/api/auth/me says who may open the Recordings page', async () => {
    const perms = async (who: Session) => ((await as(b.app, who, { url: '/api/auth/me' })).json() as { user: { permissions: { readRecordings?: boolean } } }).user.permissions.readRecordings;
    expect(await perms(admin)).toBe(true);
    expect(await perms(operator)).toBe(true);
    expect(await perms(reader)).toBe(false);
  });

  it("Reader's */read does not grant recordings: list and items answer 403", async () => {
    expect((await as(b.app, reader, { url: '/api/recordings' })).statusCode).toBe(403);
    expect((await as(b.app, reader, { url: `/api/recordings/${done.sessionId}/download` })).statusCode).toBe(403);
  });

  it('lists what the caller may play, newest first, with metadata; filters by VM, user and time', async () => {
    const all = await list(admin);
    expect(all.map((r) => r.sessionId)).toEqual([other.sessionId, live.sessionId, done.sessionId]);
    expect(all.find((r) => r.sessionId === done.sessionId)).toMatchObject({ protocol: 'ssh', format: 'asciicast', vm: VM_A, user: 'operator', userName: 'vmuser', status: 'complete', live: false, end: expect.any(String), size: expect.any(Number), error: null });
    expect(all.find((r) => r.sessionId === live.sessionId)).toMatchObject({ status: 'recording', live: true, end: null });
    expect(all.find((r) => r.sessionId === other.sessionId)).toMatchObject({ protocol: 'rdp', format: 'rdpcap', status: 'complete' });
    expect((await list(admin, `?vm=${encodeURIComponent(VM_A.toUpperCase())}`)).map((r) => r.sessionId)).toEqual([live.sessionId, done.sessionId]);
    expect((await list(admin, '?user=OPERATOR')).map((r) => r.sessionId)).toEqual([done.sessionId]);
    expect(await list(admin, '?since=2999-01-01T00:00:00Z')).toEqual([]);
    expect((await as(b.app, admin, { url: '/api/recordings?since=yesterday' })).statusCode).toBe(400);
    // A Contributor of rg-a sees vm-a's recordings only, and is refused vm-b's.
    expect((await list(operator)).map((r) => r.vm)).toEqual([VM_A, VM_A]);
    expect((await as(b.app, operator, { url: `/api/recordings/${other.sessionId}` })).statusCode).toBe(403);
  });

  it('download: the .cast as an attachment, audited; play: inline, audited as viewed', async () => {
    const res = await as(b.app, admin, { url: `/api/recordings/${done.sessionId}/download` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${done.sessionId}.cast"`);
    expect(res.headers['content-type']).toMatch(/application\/x-asciicast/);
    const lines = res.body.trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ version: 2, width: 80, height: 24 });
    expect(JSON.parse(lines[1]!)[2]).toBe('$ echo $((6*7))\r\n42\r\n');
    expect((await auditEvents('recording.downloaded'))[0]).toMatchObject({ code: 'P1001I', actor: 'admin', target: VM_A, details: { sessionId: done.sessionId } });
    const play = await as(b.app, admin, { url: `/api/recordings/${done.sessionId}/play` });
    expect(play.headers['content-disposition']).toMatch(/^inline/);
    expect((await auditEvents('recording.viewed'))[0]).toMatchObject({ code: 'P1000I', details: { sessionId: done.sessionId } });
    const rdp = await as(b.app, admin, { url: `/api/recordings/${other.sessionId}/download` });
    expect(rdp.headers['content-disposition']).toBe(`attachment; filename="${other.sessionId}.rdpcap"`);
    expect(rdp.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x52, 0x44, 0x50, 0x43, 0x41, 0x50, 0x0a]));
  });

  it('an IP-based session (target <bastion>/connectByIp/<ip>, no VM) is checked on its bastion', async () => {
    const bastion = (rg: string) => `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/bastionHosts/bas-${rg}`;
    const mine = await sshRecording(`${bastion('rg-a')}/connectByIp/10.71.1.9`, 'operator');
    const theirs = await sshRecording(`${bastion('rg-b')}/connectByIp/10.72.1.9`, 'admin');
    await mine.rec.close();
    await theirs.rec.close();
    // The Contributor of rg-a sees the session through rg-a's bastion, not rg-b's; the administrator both.
    expect((await list(operator)).map((r) => r.sessionId)).toContain(mine.record.sessionId);
    expect((await list(operator)).map((r) => r.sessionId)).not.toContain(theirs.record.sessionId);
    expect((await as(b.app, operator, { url: `/api/recordings/${mine.record.sessionId}/download` })).statusCode).toBe(200);
    expect((await as(b.app, operator, { url: `/api/recordings/${theirs.record.sessionId}` })).statusCode).toBe(403);
    expect((await list(admin)).map((r) => r.sessionId)).toEqual(expect.arrayContaining([mine.record.sessionId, theirs.record.sessionId]));
  });

  it('unknown recording: 404; malformed ID: 400', async () => {
    expect((await as(b.app, admin, { url: '/api/recordings/00000000-0000-4000-8000-999999999999' })).statusCode).toBe(404);
    expect((await as(b.app, admin, { url: '/api/recordings/not-an-id' })).statusCode).toBe(400);
  });
});

describe('failures, retention and crash recovery', () => {
  it('a recording that cannot be written is refused, logged as failed and audited (P3000E)', async () => {
    const record = await connection(VM_A, 'admin');
    const d = new Date(record.startTime);
    const path = join(b.recordingsDir, String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), `${record.sessionId}.cast`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'someone else'); // exclusive create fails
    const started = await b.recordings.startSsh(record, { cols: 80, rows: 24 }, () => undefined);
    expect(started).toMatchObject({ ok: false, message: expect.stringMatching(/EEXIST/) });
    expect(await b.recordings.store.get(record.sessionId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/EEXIST/) });
    expect((await auditEvents('recording.failed'))[0]).toMatchObject({ code: 'P3000E', outcome: 'failure', target: VM_A });
    expect(readFileSync(path, 'utf8')).toBe('someone else');
  });

  it('retention deletes ended recordings older than retentionDays (file, row, audit), never live ones', async () => {
    const old = new Date(Date.now() - 100 * 86_400_000).toISOString();
    const ended = await sshRecording(VM_A, 'admin', old);
    await ended.rec.close();
    const running = await sshRecording(VM_A, 'admin', old);
    const path = b.recordings.pathOf((await b.recordings.store.get(ended.record.sessionId))!);
    expect(existsSync(path)).toBe(true);
    expect(await b.recordings.prune()).toBe(1);
    expect(existsSync(path)).toBe(false);
    expect(await b.recordings.store.get(ended.record.sessionId)).toBeUndefined();
    expect(await b.recordings.store.get(running.record.sessionId)).toBeDefined();
    expect((await auditEvents('recording.deleted'))[0]).toMatchObject({ code: 'P2000I', details: { sessionId: ended.record.sessionId, retentionDays: 90 } });
    await running.rec.close();
  });

  it('at start-up, a recording a killed bastion left open becomes interrupted, cut after its last whole line', async () => {
    const record = await connection(VM_A, 'admin');
    const rel = `2026/01/${record.sessionId}.cast`;
    await b.recordings.store.insert({ sessionId: record.sessionId, protocol: 'ssh', format: 'asciicast', file: rel, vm: VM_A, user: 'admin', userName: 'vmuser', start: record.startTime });
    const path = join(b.recordingsDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    const whole = '{"version":2,"width":80,"height":24}\n[0.1,"o","hello"]\n';
    writeFileSync(path, `${whole}[0.2,"o","hal`);
    expect(await b.recordings.recoverInterrupted()).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe(whole);
    expect(await b.recordings.store.get(record.sessionId)).toMatchObject({ status: 'interrupted', size: whole.length, end: expect.any(String) });
  });
});
