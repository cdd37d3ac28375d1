import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BastionAuditRecord } from '../../../../protocol/src/bastion-audit-log.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { RelayHandle, RelaySocket } from '../../gateway/ssh/relay.js';
import { Recordings } from '../../recordings/index.js';
import { createTestBastion, type TestBastion } from '../test-app.js';
import { startSshRecording } from './recording-hooks.js';

/** recordings.onFailure for SSH: at the start ('continue' goes on unrecorded, 'disconnect' refuses) and mid-session. */
let b: TestBastion;
let n = 0;
beforeAll(async () => {
  b = await createTestBastion();
});
afterAll(async () => {
  await b?.dispose();
});

const request = { log: { error: () => undefined } } as unknown as FastifyRequest;
const ws = { readyState: 1, send: () => undefined } as unknown as RelaySocket;

async function connection(): Promise<BastionAuditRecord> {
  return b.connections.start({ sessionId: `00000000-0000-4000-9000-${String(++n).padStart(12, '0')}`, protocol: 'ssh', bastionResourceId: null, userName: 'u', principalName: 'p', principalId: 'p', userAgent: null, clientIpAddress: '192.0.2.1', clientPort: null, targetResourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm', targetVMIPAddress: '10.0.0.4', targetPort: 22, startTime: new Date().toISOString() });
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
}

/** A connection whose recording file is already taken, so the exclusive create fails (EEXIST). */
async function blockedConnection(): Promise<BastionAuditRecord> {
  const record = await connection();
  const d = new Date(record.startTime);
  const path = join(b.recordingsDir, String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), `${record.sessionId}.cast`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  return record;
}

describe('startSshRecording', () => {
  it("'continue': the session goes on without a recording, and the user is to be told why", async () => {
    expect(await startSshRecording(b.recordings, await blockedConnection(), request, ws, () => undefined)).toEqual({ ok: true, recording: undefined, notRecorded: expect.stringMatching(/recording failed \(EEXIST\)\. This session is not being recorded\./) });
  });

  it("'disconnect': the session is refused, naming why", async () => {
    const strict = new Recordings(b.store.db, new AuditLog(b.store.db), { ...b.recordings.settings, onFailure: 'disconnect' });
    const started = await startSshRecording(strict, await blockedConnection(), request, ws, () => undefined);
    expect(started).toEqual({ ok: false, message: expect.stringMatching(/recording failed \(EEXIST\).*ends sessions it cannot record/) });
  });

  it('a write failure mid-session: the user told under continue, the session ended (terminated) under disconnect; audited', async () => {
    // A tiny pending limit stands in for a disk that stopped taking writes.
    const file = { maxPendingBytes: 256, flushMs: 60_000 };
    const sent: string[] = [];
    const socket = { readyState: 1, send: (d: string) => sent.push(d) } as unknown as RelaySocket;
    const lenient = new Recordings(b.store.db, new AuditLog(b.store.db), { ...b.recordings.settings, file });
    const a = await startSshRecording(lenient, await connection(), request, socket, () => undefined);
    if (!a.ok || !a.recording) throw new Error('not started');
    a.recording.output(Buffer.alloc(1000, 0x41));
    await until(() => sent.length > 0);
    expect(JSON.parse(sent[0]!)).toEqual({ type: 'recording', recorded: false, message: expect.stringMatching(/recording failed.*not being recorded/) });
    await a.recording.close();

    const ends: Array<[string, string]> = [];
    const relay = { end: (reason: string, message: string) => ends.push([reason, message]), stats: () => undefined } as unknown as RelayHandle;
    const strict = new Recordings(b.store.db, new AuditLog(b.store.db), { ...b.recordings.settings, file, onFailure: 'disconnect' });
    const record = await connection();
    const d = await startSshRecording(strict, record, request, socket, () => relay);
    if (!d.ok || !d.recording) throw new Error('not started');
    d.recording.output(Buffer.alloc(1000, 0x41));
    await until(() => ends.length > 0);
    expect(ends[0]).toEqual(['terminated', expect.stringMatching(/recording failed.*ends sessions it cannot record/)]);
    await d.recording.close();
    expect(await strict.store.get(record.sessionId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/waiting for the disk/) });
    const audit = await new AuditLog(b.store.db).list({ type: 'recording.failed' });
    expect(audit[0]).toMatchObject({ code: 'P3000E', details: { sessionId: record.sessionId, onFailure: 'disconnect' } });
  });

  it('without a recordings service, nothing is recorded', async () => {
    expect(await startSshRecording(undefined, await blockedConnection(), request, ws, () => undefined)).toEqual({ ok: true, recording: undefined });
  });
});
