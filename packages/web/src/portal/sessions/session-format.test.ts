import { describe, expect, it } from 'vitest';
import { connectionQuery, eventQuery, localToIso, NO_FILTERS } from '../audit/audit-filters.js';
import { bytesText, durationText, minutesText } from './session-format.js';

describe('session and audit formatting', () => {
  it('bytes and durations', () => {
    expect(bytesText(0)).toBe('0 B');
    expect(bytesText(1536)).toBe('1.5 KB');
    expect(bytesText(50 * 1024 * 1024)).toBe('50 MB');
    expect(bytesText(undefined)).toBe('—');
    expect(durationText(45_000)).toBe('45 s');
    expect(durationText(12 * 60_000 + 5000)).toBe('12 min');
    expect(durationText(125 * 60_000)).toBe('2 h 05 min');
    expect(minutesText(1.5)).toBe('1 min');
  });

  it('filters become the API queries of records and events', () => {
    expect(connectionQuery(NO_FILTERS)).toBe('');
    const f = { ...NO_FILTERS, user: ' alice ', vm: '/subscriptions/s/x/vm1', protocol: 'ssh' as const, outcome: 'failed' as const, since: '2026-05-01T10:00' };
    const q = new URLSearchParams(connectionQuery(f, { format: 'csv' }));
    expect(Object.fromEntries(q)).toEqual({ user: 'alice', vm: '/subscriptions/s/x/vm1', protocol: 'ssh', outcome: 'failed', since: localToIso('2026-05-01T10:00'), format: 'csv' });
    expect(Object.fromEntries(new URLSearchParams(eventQuery(f)))).toEqual({ actor: 'alice', target: '/subscriptions/s/x/vm1', outcome: 'failure', since: localToIso('2026-05-01T10:00') });
    expect(localToIso('')).toBeUndefined();
    expect(localToIso('not a date')).toBeUndefined();
  });
});
