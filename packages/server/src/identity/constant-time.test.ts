import { describe, expect, it } from 'vitest';
import { secretsEqual } from './constant-time.js';

describe('secretsEqual', () => {
  it('matches only the same string', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abd', 'abc')).toBe(false);
    expect(secretsEqual('abcd', 'abc')).toBe(false);
    expect(secretsEqual('', 'abc')).toBe(false);
  });

  it('never matches a missing, repeated (array) or empty expected value', () => {
    expect(secretsEqual(undefined, 'abc')).toBe(false);
    expect(secretsEqual(['abc', 'abc'], 'abc')).toBe(false);
    expect(secretsEqual('', '')).toBe(false);
  });
});
