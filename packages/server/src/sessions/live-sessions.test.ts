import { describe, expect, it } from 'vitest';
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
});
