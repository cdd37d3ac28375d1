import { afterEach, describe, expect, it, vi } from 'vitest';
import { SshTicketStore, type SshTicketTarget } from './tickets.js';

const target = (userId: string): SshTicketTarget => ({ userId, vmId: 'vm', host: '10.90.1.4', port: 22, username: 'u', auth: { type: 'password', password: 'p' } });

afterEach(() => {
  vi.useRealTimers();
});

describe('SshTicketStore caps (design 0008)', () => {
  it('issues at most perUser live tickets per user and total in all; a redeemed or expired one frees its place', () => {
    vi.useFakeTimers();
    const store = new SshTicketStore(30_000, undefined, { perUser: 2, total: 3 });
    const a1 = store.tryIssue(target('link:a'));
    const a2 = store.tryIssue(target('link:a'));
    expect(store.tryIssue(target('link:a'))).toEqual({ ok: false, full: 'user' });
    expect(store.tryIssue(target('link:b')).ok).toBe(true);
    expect(store.tryIssue(target('link:c'))).toEqual({ ok: false, full: 'store' });
    expect(store.liveCount()).toBe(3);

    if (!a1.ok || !a2.ok) throw new Error('tickets were refused');
    expect(store.redeem(a1.ticket, 'link:a').ok).toBe(true);
    expect(store.liveCount('link:a')).toBe(1);
    expect(store.tryIssue(target('link:c')).ok).toBe(true);

    vi.advanceTimersByTime(30_000); // every ticket expires: credentials dropped, places freed
    expect(store.liveCount()).toBe(0);
    expect(store.redeem(a2.ticket, 'link:a')).toEqual({ ok: false, code: 'ticket_expired' });
    expect(store.tryIssue(target('link:a')).ok).toBe(true);
    store.clear();
  });

  it('keeps a bounded number of expired markers however many tickets expire', async () => {
    const store = new SshTicketStore(1); // real timers: 1 ms tickets all expire before the 50 ms wait ends
    for (let i = 0; i < 25_000; i++) store.issue(target(`u${i}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.liveCount()).toBe(0);
    expect(store.size).toBeLessThanOrEqual(10_000);
    store.clear();
  });
});
