import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConnectionLog } from '../audit/connection-log.js';
import { openStore } from '../storage/open.js';
import { LiveSessions, type LiveSession } from './live-sessions.js';

const entry = (sessionId: string, log: string[], delayMs = 0): LiveSession => ({
  sessionId,
  protocol: 'ssh',
  info: {
    sessionId,
    protocol: 'ssh',
    bastionResourceId: null,
    userName: 'azureuser',
    principalName: 'alice',
    principalId: 'u1',
    userAgent: null,
    clientIpAddress: '127.0.0.1',
    clientPort: null,
    targetResourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1',
    targetVMIPAddress: '10.0.1.4',
    targetPort: 22,
    startTime: new Date().toISOString(),
  },
  terminate: async () => undefined,
  stats: () => undefined,
  shutdown: async () => {
    await new Promise((r) => setTimeout(r, delayMs));
    log.push(sessionId);
  },
});

describe('LiveSessions', () => {
  it('registers, unregisters, and shuts down every open connection, waiting for all', async () => {
    const live = new LiveSessions();
    const log: string[] = [];
    live.add(entry('a', log, 20));
    const removeB = live.add(entry('b', log));
    live.add(entry('c', log, 5));
    removeB();
    removeB();
    expect(live.list().map((s) => s.sessionId)).toEqual(['a', 'c']);
    expect(live.closing).toBe(false);
    await live.shutdown();
    expect(log.sort()).toEqual(['a', 'c']);
    expect(live.size).toBe(0);
    expect(live.closing).toBe(true);
  });

  it('a failing shutdown does not keep the others from ending', async () => {
    const live = new LiveSessions();
    const log: string[] = [];
    live.add({ ...entry('bad', log), shutdown: () => Promise.reject(new Error('boom')) });
    live.add(entry('good', log));
    await live.shutdown();
    expect(log).toEqual(['good']);
  });

  it("an old entry's unregister does not remove a newer one with the same ID", () => {
    const live = new LiveSessions();
    const remove = live.add(entry('x', []));
    const newer = entry('x', []);
    live.add(newer);
    remove();
    expect(live.get('x')).toBe(newer);
  });

  it('counts the bytes of ended connections once, per protocol and direction', () => {
    const live = new LiveSessions();
    const stats = { bytesIn: 10, bytesOut: 200, maxUnackedBytes: 0, maxBufferedAmount: 0 };
    const remove = live.add({ ...entry('a', []), stats: () => stats });
    remove();
    remove();
    expect(live.endedBytes.get({ protocol: 'ssh', direction: 'in' })).toBe(10);
    expect(live.endedBytes.get({ protocol: 'ssh', direction: 'out' })).toBe(200);
    live.observeConnect('ssh', 0.3);
    expect(live.connectSeconds.samples().find((s) => s.suffix === '_count')?.value).toBe(1);
  });

  it('persists every live row\'s figures with one write per tick, so a crash leaves them and a true end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-live-'));
    const store = await openStore({ sqliteFile: join(dir, 'bastion.db') });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      vi.setSystemTime(new Date('2026-05-01T10:00:00.000Z'));
      const connections = new ConnectionLog(store.db);
      const live = new LiveSessions();
      const writes: number[] = [];
      const sink = { touchLive: (f: Parameters<ConnectionLog['touchLive']>[0], at: Date) => (writes.push(f.length), connections.touchLive(f, at)) };
      const ids: string[] = [];
      for (let i = 0; i < 300; i++) {
        const e = entry(`s${i}`, []);
        const r = await connections.start({ ...e.info, sessionId: `${i}-${Math.random()}`, startTime: new Date().toISOString() });
        ids.push(r.sessionId);
        const stats = { bytesIn: i, bytesOut: 1000 + i, maxUnackedBytes: 0, maxBufferedAmount: 0 };
        live.add({ ...e, sessionId: r.sessionId, stats: () => (i === 0 ? undefined : stats) });
      }
      const stop = live.persistTo(sink, (err) => {
        throw err;
      }, 2000);
      await vi.advanceTimersByTimeAsync(2000);
      for (let i = 0; i < 20 && writes.length === 0; i++) await new Promise((r) => setImmediate(r));
      expect(writes).toEqual([300]);
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
      stop();
      // The bastion dies here; the next start closes the rows where it last saw them, with their bytes.
      await connections.closeInterrupted(new Date('2026-05-01T11:00:00.000Z'));
      expect(await connections.get(ids[7]!)).toMatchObject({ endReason: 'interrupted', bytesIn: 7, bytesOut: 1007, endTime: '2026-05-01T10:00:02.000Z' });
      expect(await connections.get(ids[0]!)).toMatchObject({ endReason: 'interrupted', bytesIn: 0, bytesOut: 0 });
    } finally {
      vi.useRealTimers();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
