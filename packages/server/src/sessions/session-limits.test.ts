import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { durationText, idleWarning, limitsFromProperties, watchLimits, type LimitReason } from './session-limits.js';

describe('limitsFromProperties', () => {
  it('defaults to 20 minutes idle and no maximum; 0 turns a limit off; fractions are minutes', () => {
    expect(limitsFromProperties(undefined)).toEqual({ idleTimeoutMs: 20 * 60_000, maxDurationMs: null });
    expect(limitsFromProperties({ idleTimeoutMinutes: 0, maxSessionMinutes: 480 })).toEqual({ idleTimeoutMs: null, maxDurationMs: 480 * 60_000 });
    expect(limitsFromProperties({ idleTimeoutMinutes: 0.1 })).toEqual({ idleTimeoutMs: 6000, maxDurationMs: null });
    expect(limitsFromProperties({ idleTimeoutMinutes: 'x', maxSessionMinutes: -1 })).toEqual({ idleTimeoutMs: 20 * 60_000, maxDurationMs: null });
  });

  it('speaks in minutes or seconds', () => {
    expect(durationText(60_000)).toBe('1 minute');
    expect(durationText(20 * 60_000)).toBe('20 minutes');
    expect(durationText(3000)).toBe('3 seconds');
    expect(idleWarning(60_000)).toBe('You will be disconnected in 1 minute because the session is idle. Press any key to stay connected.');
  });
});

describe('watchLimits (fake clock)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = (limits: { idleTimeoutMs: number | null; maxDurationMs: number | null }) => {
    let bytes = 0;
    const notices: string[] = [];
    const expired: Array<{ reason: LimitReason; message: string }> = [];
    let ended = false;
    const watch = watchLimits({
      limits,
      inputBytes: () => bytes,
      notify: (m) => notices.push(m),
      expire: (reason, message) => expired.push({ reason, message }),
      ended: () => ended,
      pollMs: 1000,
    });
    return { type: (n = 1) => (bytes += n), notices, expired, watch, end: () => (ended = true) };
  };

  it('warns a minute before the idle close, input clears the warning and restarts the clock', () => {
    const t = setup({ idleTimeoutMs: 5 * 60_000, maxDurationMs: null });
    vi.advanceTimersByTime(4 * 60_000 - 1000);
    expect(t.notices).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(t.notices).toEqual([idleWarning(60_000)]);
    t.type();
    vi.advanceTimersByTime(1000);
    expect(t.notices).toEqual([idleWarning(60_000), '']);
    vi.advanceTimersByTime(4 * 60_000);
    expect(t.notices).toHaveLength(3);
    expect(t.expired).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(t.expired).toEqual([{ reason: 'idle_timeout', message: 'The session was closed after 5 minutes without input.' }]);
    vi.advanceTimersByTime(10 * 60_000);
    expect(t.expired).toHaveLength(1); // once
  });

  it('short limits warn at half the limit', () => {
    const t = setup({ idleTimeoutMs: 6000, maxDurationMs: null });
    vi.advanceTimersByTime(3000);
    expect(t.notices).toEqual(['You will be disconnected in 3 seconds because the session is idle. Press any key to stay connected.']);
    vi.advanceTimersByTime(3000);
    expect(t.expired.map((e) => e.reason)).toEqual(['idle_timeout']);
  });

  it('the maximum length ends a busy session, after its own warning', () => {
    const t = setup({ idleTimeoutMs: 60_000, maxDurationMs: 10 * 60_000 });
    for (let i = 0; i < 600; i++) {
      t.type();
      vi.advanceTimersByTime(1000);
    }
    expect(t.notices.some((n) => n.includes('at most 10 minutes'))).toBe(true);
    expect(t.expired.map((e) => e.reason)).toEqual(['max_duration']);
  });

  it('stops by itself once the session ended another way, and does nothing without limits', () => {
    const t = setup({ idleTimeoutMs: 5000, maxDurationMs: null });
    t.end();
    vi.advanceTimersByTime(60_000);
    expect(t.expired).toEqual([]);
    const none = setup({ idleTimeoutMs: null, maxDurationMs: null });
    vi.advanceTimersByTime(60_000);
    expect(none.notices).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
