import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTED_MESSAGE, type BastionAuditStart } from '../../../protocol/src/bastion-audit-log.js';
import { ConnectionLog } from '../audit/connection-log.js';
import { HostKeyTrust } from '../gateway/ssh/host-key-trust.js';
import type { Store } from './open.js';

/**
 * The connection-record part of the storage compliance suite (migration 0005): bastion_audit_logs and the
 * host key a VM last offered must behave the same on SQLite and PostgreSQL (bigint counters come back as
 * numbers, case-insensitive filters, ends written once, crash recovery). Only imported by tests.
 */
export function runConnectionLogStoreSuite(name: string, open: () => Promise<Store>): void {
  describe(name, () => {
    let store: Store;
    let log: ConnectionLog;
    beforeAll(async () => {
      store = await open();
      log = new ConnectionLog(store.db);
    });
    afterAll(async () => {
      await store?.close();
    });
    const vmId = () => `/subscriptions/${randomUUID()}/resourceGroups/rg-Audit/providers/Microsoft.Compute/virtualMachines/vm-${randomUUID().slice(0, 6)}`;
    const start = (overrides: Partial<BastionAuditStart> = {}): BastionAuditStart => ({
      sessionId: randomUUID(),
      protocol: 'ssh',
      bastionResourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/bastionHosts/bas',
      userName: 'vmuser',
      principalName: 'Alice',
      principalId: randomUUID(),
      userAgent: 'test-agent',
      clientIpAddress: '192.0.2.7',
      clientPort: 50123,
      targetResourceId: vmId(),
      targetVMIPAddress: '10.90.1.4',
      targetPort: 22,
      startTime: '2026-01-01T10:00:00.000Z',
      ...overrides,
    });

    it('writes the start row, the connect, and one end with large byte counts', async () => {
      const s = start();
      const begun = await log.start(s);
      expect(await log.get(s.sessionId)).toEqual(begun);
      expect(begun).toMatchObject({ message: 'Connecting.', endTime: null, endReason: null, bytesIn: 0, bytesOut: 0, clientPort: 50123 });
      const connected = await log.connected(begun);
      expect((await log.get(s.sessionId))?.message).toBe(CONNECTED_MESSAGE);

      const big = 5_000_000_123; // past 2^32: the columns are bigint
      const ended = await log.end(connected, { kind: 'ended', reason: 'exited', endTime: '2026-01-01T10:01:30.500Z', bytesIn: 1234, bytesOut: big });
      expect(ended.written).toBe(true);
      const row = await log.get(s.sessionId);
      expect(row).toEqual(ended.record);
      expect(row).toMatchObject({ message: CONNECTED_MESSAGE, endReason: 'exited', durationMs: 90_500, bytesIn: 1234, bytesOut: big, errorCode: null });
      expect(typeof row?.bytesOut).toBe('number');

      // A second end (e.g. a shutdown racing the exit) changes nothing.
      const again = await log.end(connected, { kind: 'ended', reason: 'server_shutdown', endTime: '2026-01-01T11:00:00.000Z', bytesIn: 0, bytesOut: 0 });
      expect(again.written).toBe(false);
      expect(await log.get(s.sessionId)).toEqual(row);
    });

    it('records a failure with its code and message', async () => {
      const begun = await log.start(start({ clientPort: null, userAgent: null }));
      await log.end(begun, { kind: 'failed', errorCode: 'auth_failed', message: 'Authentication failed: the VM refused the username or password/key.', endTime: '2026-01-01T10:00:02.000Z' });
      expect(await log.get(begun.sessionId)).toMatchObject({ endReason: 'failed', errorCode: 'auth_failed', message: expect.stringContaining('Authentication failed'), durationMs: 2000, clientPort: null, userAgent: null });
    });

    it('lists newest first, filtered by VM and user (case-insensitive) and by start time', async () => {
      const vm = vmId();
      const user = `bob-${randomUUID().slice(0, 6)}`;
      const times = ['2026-02-01T08:00:00.000Z', '2026-02-01T09:00:00.000Z', '2026-02-01T10:00:00.000Z'];
      const ids: string[] = [];
      for (const startTime of times) ids.push((await log.start(start({ targetResourceId: vm, principalName: user, startTime }))).sessionId);
      await log.start(start({ targetResourceId: vm, principalName: 'someone-else', startTime: '2026-02-01T09:30:00.000Z' }));

      const mine = await log.list({ targetResourceId: vm.toUpperCase(), principalName: user.toUpperCase() });
      expect(mine.map((r) => r.sessionId)).toEqual([...ids].reverse());
      expect((await log.list({ targetResourceId: vm })).length).toBe(4);
      expect((await log.list({ targetResourceId: vm, principalName: user, since: times[1], until: times[1] })).map((r) => r.sessionId)).toEqual([ids[1]]);
      expect((await log.list({ targetResourceId: vm, since: '2026-02-01T09:00:00.001Z' })).length).toBe(2);
      expect((await log.list({ targetResourceId: vm, limit: 1 })).map((r) => r.startTime)).toEqual([times[2]]);
    });

    it('closes the rows a dead bastion left open as interrupted, at the time it last saw them, and only those', async () => {
      const open1 = await log.connected(await log.start(start({ startTime: '2026-03-01T10:00:00.000Z' })));
      const open2 = await log.start(start({ startTime: '2026-03-01T10:00:05.000Z' }));
      const done = await log.start(start({ startTime: '2026-03-01T10:00:00.000Z' }));
      await log.end(done, { kind: 'ended', reason: 'client_closed', endTime: '2026-03-01T10:00:01.000Z', bytesIn: 1, bytesOut: 2 });
      await log.touchLive([{ sessionId: open1.sessionId, bytesIn: 12, bytesOut: 3_000_000_000 }, { sessionId: done.sessionId, bytesIn: 99, bytesOut: 99 }], new Date('2026-03-01T10:00:42.000Z'));

      const now = new Date('2026-03-01T10:01:00.000Z');
      expect(await log.closeInterrupted(now)).toBeGreaterThanOrEqual(2);
      // Seen alive at 10:00:42 with its figures: the crash came after that, not at the restart.
      expect(await log.get(open1.sessionId)).toMatchObject({ endReason: 'interrupted', endTime: '2026-03-01T10:00:42.000Z', durationMs: 42_000, bytesIn: 12, bytesOut: 3_000_000_000, message: CONNECTED_MESSAGE });
      // Never touched (the crash came before the first tick): ends where it was last seen, its start.
      expect(await log.get(open2.sessionId)).toMatchObject({ endReason: 'interrupted', endTime: '2026-03-01T10:00:05.000Z', durationMs: 0, message: 'Connecting.' });
      // An ended row keeps its end's figures: a late touch changes nothing.
      expect(await log.get(done.sessionId)).toMatchObject({ endReason: 'client_closed', endTime: '2026-03-01T10:00:01.000Z', bytesIn: 1, bytesOut: 2 });
      expect(await log.closeInterrupted(now)).toBe(0);
    });

    it('touches thousands of live rows at once, and a row from before migration 0010 ends at the restart', async () => {
      const records = [];
      for (let i = 0; i < 2100; i++) records.push(start({ startTime: '2026-04-01T10:00:00.000Z' }));
      const started = [];
      for (const r of records) started.push(await log.start(r));
      // Some not relaying yet (no counters): their bytes stay, their last-seen time moves.
      const figures = started.map((r, i) => (i % 3 === 0 ? { sessionId: r.sessionId } : { sessionId: r.sessionId, bytesIn: i, bytesOut: 2 * i }));
      await log.touchLive(figures, new Date('2026-04-01T10:00:06.000Z'));
      const legacy = await log.start(start({ startTime: '2026-04-01T09:00:00.000Z' }));
      await store.db.withTables<{ bastion_audit_logs: { session_id: string; last_seen_time: string | null } }>().updateTable('bastion_audit_logs').set({ last_seen_time: null }).where('session_id', '=', legacy.sessionId).execute();

      const now = new Date('2026-04-01T10:05:00.000Z');
      await log.closeInterrupted(now);
      for (const i of [0, 1, 2, 1999, 2099]) {
        expect(await log.get(started[i]!.sessionId)).toMatchObject({ endReason: 'interrupted', endTime: '2026-04-01T10:00:06.000Z', bytesIn: i % 3 === 0 ? 0 : i, bytesOut: i % 3 === 0 ? 0 : 2 * i });
      }
      expect(await log.get(legacy.sessionId)).toMatchObject({ endReason: 'interrupted', endTime: now.toISOString() });
    });

    it('remembers the host key a VM offered on a mismatch until an administrator accepts one', async () => {
      const trust = new HostKeyTrust(store.db);
      const vm = vmId();
      const pinned = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      const offered = 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
      expect((await trust.check(vm, '10.0.0.4', 22, 'ssh-ed25519', pinned)).status).toBe('new');
      expect((await trust.get(vm, 22))?.offered).toBeNull();
      const changed = await trust.check(vm, '10.0.0.4', 22, 'ecdsa-sha2-nistp256', offered);
      expect(changed).toMatchObject({ status: 'changed', expected: pinned, pinned: { offered: { fingerprint: offered, keyType: 'ecdsa-sha2-nistp256' } } });
      expect((await trust.list(vm.toLowerCase())).map((k) => [k.port, k.fingerprint, k.offered?.fingerprint])).toEqual([[22, pinned, offered]]);
      const accepted = await trust.accept(vm, 22, offered, 'admin', { keyType: 'ecdsa-sha2-nistp256' });
      expect(accepted).toMatchObject({ fingerprint: offered, acceptedBy: 'admin', offered: null });
      expect(await trust.get(vm, 22)).toMatchObject({ fingerprint: offered, keyType: 'ecdsa-sha2-nistp256', offered: null });
      expect((await trust.check(vm, '10.0.0.4', 22, 'ecdsa-sha2-nistp256', offered)).status).toBe('match');
    });
  });
}
