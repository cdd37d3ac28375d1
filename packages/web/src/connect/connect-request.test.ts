import { afterEach, describe, expect, it, vi } from 'vitest';
import { isSessionId, newSessionId, PendingConnections, sessionPath, type ConnectRequest } from './connect-request.js';

const REQUEST: ConnectRequest = { protocol: 'ssh', vmId: 'id', vmName: 'vm1', username: 'u', port: 22, auth: { type: 'password', password: 'pw' } };

describe('pending connections', () => {
  afterEach(() => vi.useRealTimers());

  it('hands a request over once', () => {
    const store = new PendingConnections();
    const id = store.put(REQUEST);
    expect(isSessionId(id)).toBe(true);
    expect(store.take(id)).toEqual(REQUEST);
    expect(store.take(id)).toBeUndefined();
  });

  it('forgets requests nobody took (credentials do not linger)', () => {
    vi.useFakeTimers();
    const store = new PendingConnections(1000);
    const id = store.put(REQUEST);
    vi.advanceTimersByTime(1001);
    expect(store.size).toBe(0);
    expect(store.take(id)).toBeUndefined();
  });

  it('makes unguessable, URL-safe session IDs', () => {
    const a = newSessionId();
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(newSessionId()).not.toBe(a);
    expect(sessionPath(a)).toBe(`/session/${a}`);
    expect(isSessionId('short')).toBe(false);
    expect(isSessionId('../../etc/passwd/xxxxxxxxxxxx')).toBe(false);
  });
});
