import { describe, expect, it } from 'vitest';
import { LoginRateLimiter, type SignInGate } from './rate-limiter.js';
import { SlidingWindow, placeOf } from './rate-limiter-window.js';

const clock = () => {
  const c = { now: 1_000_000, tick: (ms: number) => (c.now += ms) };
  return c;
};
const fail = (limiter: LoginRateLimiter, user: string, ip: string): SignInGate => {
  const gate = limiter.begin(user, ip);
  if (gate.ok) gate.attempt.failed();
  return gate;
};
const succeed = (limiter: LoginRateLimiter, user: string, ip: string): SignInGate => {
  const gate = limiter.begin(user, ip);
  if (gate.ok) gate.attempt.succeeded();
  return gate;
};

describe('LoginRateLimiter', () => {
  it('counts an attempt when it begins: parallel attempts cannot all pass the check', () => {
    const limiter = new LoginRateLimiter({ maxFailures: 5, windowSeconds: 900 });
    // 40 attempts begin before any password check has ended.
    const gates = Array.from({ length: 40 }, () => limiter.begin('alice', '10.0.0.1'));
    expect(gates.filter((g) => g.ok)).toHaveLength(5);
    expect(gates.filter((g) => !g.ok).every((g) => !g.ok && g.limit === 'user-ip' && g.retryAfterMs > 0)).toBe(true);
  });

  it('blocks a (user, address) pair after maxFailures within the window and frees it after', () => {
    const c = clock();
    const limiter = new LoginRateLimiter({ maxFailures: 3, windowSeconds: 60 }, () => c.now);
    for (let i = 0; i < 3; i++) {
      expect(fail(limiter, 'alice', '10.0.0.1').ok).toBe(true);
      c.tick(1000);
    }
    expect(limiter.begin('alice', '10.0.0.1')).toEqual({ ok: false, limit: 'user-ip', retryAfterMs: 57_000, report: true });
    expect(limiter.begin('alice', '10.0.0.1')).toMatchObject({ ok: false, report: false }); // audited once a minute
    c.tick(57_000);
    expect(limiter.begin('ALICE', '10.0.0.1').ok).toBe(true); // the username in any letter case
  });

  it('a success takes its attempt back and clears the pair; an abandoned attempt does not count', () => {
    const limiter = new LoginRateLimiter({ maxFailures: 2, windowSeconds: 900 });
    fail(limiter, 'alice', '10.0.0.1');
    expect(succeed(limiter, 'alice', '10.0.0.1').ok).toBe(true);
    fail(limiter, 'alice', '10.0.0.1');
    const broken = limiter.begin('alice', '10.0.0.1');
    if (broken.ok) broken.attempt.abandoned();
    expect(fail(limiter, 'alice', '10.0.0.1').ok).toBe(true);
    expect(limiter.begin('alice', '10.0.0.1').ok).toBe(false);
  });

  it('limits one address spraying many usernames (ipMaxFailures), not the other addresses', () => {
    const limiter = new LoginRateLimiter({ maxFailures: 5, windowSeconds: 900, ipMaxFailures: 10 });
    for (let i = 0; i < 10; i++) expect(fail(limiter, `user${i}`, '10.0.0.9').ok).toBe(true);
    expect(limiter.begin('user99', '10.0.0.9')).toMatchObject({ ok: false, limit: 'ip' });
    expect(limiter.begin('user99', '10.0.0.8').ok).toBe(true);
  });

  it('an account attacked from many addresses gets growing delays (doubling, capped), not a lock', () => {
    const c = clock();
    const limiter = new LoginRateLimiter({ maxFailures: 3, windowSeconds: 900, accountDelaySeconds: 2, accountMaxDelaySeconds: 30 }, () => c.now);
    let ip = 0;
    const stranger = () => `203.0.113.${ip++}`;
    for (let i = 0; i < 3; i++) expect(fail(limiter, 'admin', stranger()).ok).toBe(true);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const refused = limiter.begin('admin', stranger());
      expect(refused).toMatchObject({ ok: false, limit: 'account' });
      const wait = refused.ok ? 0 : refused.retryAfterMs;
      waits.push(wait);
      c.tick(wait);
      expect(fail(limiter, 'admin', stranger()).ok).toBe(true); // after the delay, one more try
    }
    expect(waits).toEqual([2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('a stranger cannot lock the user out of a place they signed in from before', () => {
    const c = clock();
    const limiter = new LoginRateLimiter({ maxFailures: 5, windowSeconds: 900, ipMaxFailures: 20, accountMaxDelaySeconds: 900 }, () => c.now);
    expect(succeed(limiter, 'admin', '192.0.2.10').ok).toBe(true); // the admin's office
    for (let i = 0; i < 200; i++) {
      fail(limiter, 'admin', '198.51.100.7'); // one stranger's address
      fail(limiter, 'admin', `203.0.113.${i % 250}`); // and many
      c.tick(10);
    }
    expect(limiter.begin('admin', '198.51.100.7').ok).toBe(false);
    expect(limiter.begin('admin', '203.0.113.99').ok).toBe(false);
    // The office is limited only by its own failures.
    for (let i = 0; i < 4; i++) expect(fail(limiter, 'admin', '192.0.2.10').ok).toBe(true);
    expect(succeed(limiter, 'admin', '192.0.2.10').ok).toBe(true);
  });

  it('others behind a spraying address still sign in from where they signed in before', () => {
    const limiter = new LoginRateLimiter({ maxFailures: 5, windowSeconds: 900, ipMaxFailures: 10 });
    succeed(limiter, 'bob', '10.1.1.1');
    for (let i = 0; i < 30; i++) fail(limiter, `guess${i}`, '10.1.1.1');
    expect(limiter.begin('carol', '10.1.1.1')).toMatchObject({ ok: false, limit: 'ip' });
    expect(succeed(limiter, 'bob', '10.1.1.1').ok).toBe(true);
  });
});

describe('SlidingWindow', () => {
  it('keeps at most maxKeys keys, forgetting the oldest first', () => {
    const w = new SlidingWindow(3, 60_000, Date.now, 1000);
    for (let i = 0; i < 5000; i++) w.take(`k${i}`);
    expect(w.size).toBeLessThanOrEqual(1000);
    expect(w.count('k4999')).toBe(1);
  });
});

describe('placeOf', () => {
  it('keys IPv4 by address and IPv6 by its /64', () => {
    expect(placeOf('10.0.0.1')).toBe('10.0.0.1');
    expect(placeOf('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(placeOf('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(placeOf('2001:db8:1:2::9')).toBe(placeOf('2001:0db8:0001:0002:ffff::1'));
    expect(placeOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(placeOf('::1')).toBe('0:0:0:0::/64');
  });
});
