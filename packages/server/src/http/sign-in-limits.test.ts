import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_PASSWORD, as, createTestBastion, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Design 0008 through inject(): the sign-in limits hold under parallel requests, a stranger cannot lock
 * a user out of the place they sign in from, and an account attacked from many addresses waits growing
 * delays. The clock is a fake Date (only Date: timers, I/O and scrypt run for real) so that the delays
 * can be waited out without waiting. Every scenario uses its own user and client addresses.
 */
const PASSWORD = 'Limits-Unit-Pass-1';
const users = ['par1', 'par2', 'backoff', 'office1', 'office2'].map((username) => ({ username, password: PASSWORD }));

let b: TestBastion;
let admin: Session;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T08:00:00Z') });
  b = await createTestBastion({
    // The defaults but for the account's first delay: 60 s, so that it is one the test waits out on purpose.
    security: { sessionTtlMinutes: 60, login: { maxFailures: 5, windowSeconds: 900, ipMaxFailures: 20, accountDelaySeconds: 60, accountMaxDelaySeconds: 900 } },
    users,
  });
  admin = await signInAsReadyAdmin(b); // from 127.0.0.250: the admin's known place from now on
});
afterAll(async () => {
  await b?.dispose();
  vi.useRealTimers();
});

const login = (username: string, password: string, remoteAddress: string) => b.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress });
const token = (username: string, password: string, remoteAddress: string) => b.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username, password }, remoteAddress });
const statuses = (responses: LightMyRequestResponse[]) => responses.reduce<Record<number, number>>((n, r) => ({ ...n, [r.statusCode]: (n[r.statusCode] ?? 0) + 1 }), {});
const limited = (res: LightMyRequestResponse) => {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.json()).toMatchObject({ error: { code: 'BST_ERR_LOGIN_RATE_LIMITED', message: expect.stringMatching(/^Too many failed sign-in attempts\. Try again in \d+ (second|minute)s?\.$/) } });
  return Number(res.headers['retry-after']);
};

describe('sign-in limits under parallel requests', () => {
  it('40 parallel wrong passwords from one address: 5 are checked (401), 35 refused (429 + Retry-After)', async () => {
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => login('par1', `Wrong-Password-${i}`, '10.20.0.1')));
    expect(statuses(all)).toEqual({ 401: 5, 429: 35 });
    for (const r of all.filter((r) => r.statusCode === 429)) expect(limited(r)).toBeGreaterThan(0);
    // Even the right password now waits, from that address.
    limited(await login('par1', PASSWORD, '10.20.0.1'));
  });

  it('the CLI token sign-in and the portal sign-in share the one limit', async () => {
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? token : login)('par2', `Wrong-Password-${i}`, '10.20.0.2')));
    expect(statuses(all)).toEqual({ 401: 5, 429: 35 });
    limited(await token('par2', PASSWORD, '10.20.0.2'));
  });
});

describe('a stranger hammering an account', () => {
  it('cannot lock the admin out of where they signed in before, from one address or from many', async () => {
    const fromOne = Promise.all(Array.from({ length: 40 }, (_, i) => login('admin', `Guess-${i}`, '10.66.0.1')));
    const fromMany = Promise.all(Array.from({ length: 60 }, (_, i) => login('admin', `Guess-${i}`, `10.66.1.${i + 1}`)));
    const tried = [...(await fromOne), ...(await fromMany)];
    // The account took 5 guesses from unknown places (its free failures), then every stranger waits.
    expect(statuses(tried)).toEqual({ 401: 5, 429: 95 });
    limited(await login('admin', ADMIN_PASSWORD, '10.66.2.1')); // a new place: the account's delay applies
    // The admin's own place is not affected: portal and CLI.
    expect((await login('admin', ADMIN_PASSWORD, '127.0.0.250')).statusCode).toBe(200);
    expect((await token('admin', ADMIN_PASSWORD, '127.0.0.250')).statusCode).toBe(201);
  });

  it('audits refusals with the limit that refused, once a minute per user and address', async () => {
    const res = await as(b.app, admin, { url: '/api/audit?type=user.login.rate_limited&limit=500' });
    const events = (res.json() as { value: Array<{ actor: string; clientIp: string; outcome: string; details: { limit: string; retryAfterSeconds: number } }> }).value;
    expect(events).toContainEqual(expect.objectContaining({ actor: 'par1', clientIp: '10.20.0.1', outcome: 'denied', details: expect.objectContaining({ limit: 'user-ip' }) }));
    expect(events).toContainEqual(expect.objectContaining({ actor: 'admin', clientIp: '10.66.1.60', details: expect.objectContaining({ limit: 'account' }) }));
    expect(events.some((e) => e.clientIp === '127.0.0.250')).toBe(false);
    // par1 was refused 36 times from 10.20.0.1 within the minute: one row, not 36.
    expect(events.filter((e) => e.actor === 'par1')).toHaveLength(1);
  });
});

describe('a sprayer behind a shared address (an office NAT)', () => {
  it('is refused after 20 failures over all usernames; users who signed in there before still do', async () => {
    expect((await login('office1', PASSWORD, '10.50.0.1')).statusCode).toBe(200);
    const sprayed = await Promise.all(Array.from({ length: 30 }, (_, i) => login(`sprayed${i}`, 'Spring2026!', '10.50.0.1')));
    expect(statuses(sprayed)).toEqual({ 401: 20, 429: 10 });
    expect((await login('office1', PASSWORD, '10.50.0.1')).statusCode).toBe(200);
    // A colleague who never signed in from there waits like the sprayer (the address is all there is to go by).
    limited(await login('office2', PASSWORD, '10.50.0.1'));
    expect((await login('office2', PASSWORD, '10.50.0.2')).statusCode).toBe(200);
  });
});

describe("an account's growing delay", () => {
  it('doubles the wait with each failure from unknown places, up to the cap; the real user still signs in', async () => {
    expect((await login('backoff', PASSWORD, '10.40.0.1')).statusCode).toBe(200); // backoff's known place
    for (let i = 0; i < 5; i++) expect((await login('backoff', 'Wrong-Password-1', `10.41.0.${i + 1}`)).statusCode).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const wait = limited(await login('backoff', 'Wrong-Password-1', `10.42.${i}.1`));
      waits.push(wait);
      vi.setSystemTime(Date.now() + wait * 1000);
      expect((await login('backoff', 'Wrong-Password-1', `10.42.${i}.2`)).statusCode).toBe(401); // one more guess
    }
    expect(waits).toEqual([60, 120, 240, 480, 900, 900]);
    expect((await login('backoff', PASSWORD, '10.40.0.1')).statusCode).toBe(200);
  });
});
