import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Compares a presented secret (CSRF token, bearer token) with the expected one in constant time: both are
 * hashed first, so neither the position of the first differing character nor the length leaks. A missing
 * or non-string value (a repeated header arrives as an array) never matches.
 */
export function secretsEqual(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || expected.length === 0) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}
