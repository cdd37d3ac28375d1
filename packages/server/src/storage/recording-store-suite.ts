import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTE_CUT_PENDING, RecordingStore } from '../recordings/recording-store.js';
import type { Store } from './open.js';

/**
 * The recordings index (migration 0007) must behave the same on SQLite and PostgreSQL: bigint sizes come
 * back as numbers, VM and user filters ignore case, failed stays failed, recovery and retention queries.
 * Only imported by tests.
 */
export function runRecordingStoreSuite(name: string, open: () => Promise<Store>): void {
  describe(name, () => {
    let store: Store;
    let rec: RecordingStore;
    beforeAll(async () => {
      store = await open();
      rec = new RecordingStore(store.db);
    });
    afterAll(async () => {
      await store?.close();
    });
    const vm = `/subscriptions/${randomUUID()}/resourceGroups/rg-Rec/providers/Microsoft.Compute/virtualMachines/vm-Rec`;
    const row = (start: string, user = 'Alice') => ({ sessionId: randomUUID(), protocol: 'ssh' as const, format: 'asciicast' as const, file: `2026/01/${randomUUID()}.cast`, vm, user, userName: 'vmuser', start });

    it('inserts, completes with a size past 2^31, filters without case, keeps failures', async () => {
      const a = row('2026-01-01T10:00:00.000Z');
      const b = row('2026-01-02T10:00:00.000Z', 'bob');
      await rec.insert(a);
      await rec.insert(b);
      await rec.finish(a.sessionId, '2026-01-01T11:00:00.000Z', 3_000_000_000);
      await rec.fail(b.sessionId, 'ENOSPC');
      await rec.finish(b.sessionId, '2026-01-02T11:00:00.000Z', 10);
      expect(await rec.get(a.sessionId)).toMatchObject({ status: 'complete', size: 3_000_000_000, end: '2026-01-01T11:00:00.000Z' });
      expect(await rec.get(b.sessionId)).toMatchObject({ status: 'failed', error: 'ENOSPC', size: 10 });
      expect((await rec.list({ vm: vm.toUpperCase() })).map((r) => r.sessionId)).toEqual([b.sessionId, a.sessionId]);
      expect((await rec.list({ vm, user: 'ALICE' })).map((r) => r.sessionId)).toEqual([a.sessionId]);
      expect((await rec.list({ vm, since: '2026-01-02T00:00:00.000Z' })).map((r) => r.sessionId)).toEqual([b.sessionId]);
    });

    it('keeps the true size and a note of what was done to the file (migration 0010)', async () => {
      const cut = row('2026-01-03T10:00:00.000Z');
      const pending = row('2026-01-03T10:00:01.000Z');
      const crashed = row('2026-01-03T10:00:02.000Z');
      for (const r of [cut, pending, crashed]) await rec.insert(r);
      expect(await rec.get(cut.sessionId)).toMatchObject({ note: null });
      await rec.fail(cut.sessionId, 'ENOSPC', { size: 4_000_000_000, note: 'cut back' });
      await rec.fail(pending.sessionId, 'EROFS', { size: 7, note: NOTE_CUT_PENDING });
      await rec.interrupted(crashed.sessionId, '2026-01-03T11:00:00.000Z', 120, 'The file was empty at start-up: its header was written.');
      expect(await rec.get(cut.sessionId)).toMatchObject({ status: 'failed', error: 'ENOSPC', size: 4_000_000_000, note: 'cut back' });
      expect(await rec.get(crashed.sessionId)).toMatchObject({ status: 'interrupted', size: 120, note: expect.stringMatching(/header was written/) });
      expect((await rec.cutPending()).map((r) => r.sessionId)).toContain(pending.sessionId);
      await rec.repaired(pending.sessionId, 5, 'A line cut by the stop was removed at start-up (2 bytes).');
      expect(await rec.get(pending.sessionId)).toMatchObject({ status: 'failed', size: 5, note: expect.stringMatching(/removed/) });
      expect((await rec.cutPending()).map((r) => r.sessionId)).not.toContain(pending.sessionId);
    });

    it('recovery and retention queries', async () => {
      const open = row('2020-01-01T00:00:00.000Z');
      const old = row('2020-01-02T00:00:00.000Z');
      await rec.insert(open);
      await rec.insert(old);
      await rec.finish(old.sessionId, '2020-01-02T01:00:00.000Z', 5);
      expect((await rec.open()).map((r) => r.sessionId)).toContain(open.sessionId);
      const expired = (await rec.expired('2021-01-01T00:00:00.000Z')).map((r) => r.sessionId);
      expect(expired).toContain(old.sessionId);
      expect(expired).not.toContain(open.sessionId); // still recording: never deleted
      await rec.interrupted(open.sessionId, '2020-01-01T00:30:00.000Z', 7);
      expect(await rec.get(open.sessionId)).toMatchObject({ status: 'interrupted', size: 7 });
      await rec.delete(old.sessionId);
      expect(await rec.get(old.sessionId)).toBeUndefined();
    });
  });
}
