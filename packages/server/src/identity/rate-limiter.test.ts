import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from './rate-limiter.js';

describe('LoginRateLimiter', () => {
  it('blocks after maxFailures within the window and frees again after it', () => {
    let now = 1_000_000;
    const limiter = new LoginRateLimiter(3, 60_000, () => now);
    const keys = ['user:alice', 'ip:10.0.0.1'];
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs(keys)).toBe(0);
      limiter.recordFailure(keys);
      now += 1000;
    }
    expect(limiter.retryAfterMs(keys)).toBe(57_000);
    expect(limiter.retryAfterMs(['user:bob', 'ip:10.0.0.1'])).toBeGreaterThan(0); // same IP, other user
    now += 57_000;
    expect(limiter.retryAfterMs(keys)).toBe(0);
  });

  it('clear() forgets a key after a successful sign-in', () => {
    const limiter = new LoginRateLimiter(2, 60_000);
    limiter.recordFailure(['user:alice']);
    limiter.recordFailure(['user:alice']);
    limiter.clear('user:alice');
    expect(limiter.retryAfterMs(['user:alice'])).toBe(0);
  });
});
