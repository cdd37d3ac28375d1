import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokens } from '../identity/api-tokens.js';
import { createTestBastion, type TestBastion } from '../http/test-app.js';
import { ShareableLinks } from './shareable-links.js';

/** The stores of design 0007 with a fake clock: expiry of links and CLI tokens. */
let b: TestBastion;
let now = new Date('2030-01-01T00:00:00Z');
const clock = (): Date => now;

beforeAll(async () => {
  b = await createTestBastion();
});
afterAll(async () => {
  await b?.dispose();
});

describe('ShareableLinks', () => {
  it('finds a link by its secret until it expires; a malformed or unknown secret is unknown', async () => {
    const links = new ShareableLinks(b.store.db, clock);
    const [made] = await links.create({ bastionId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/bastionHosts/B', vmIds: ['/vm/A'], createdBy: 'admin', createdById: 'u1', expiresAt: '2030-01-01T01:00:00.000Z' });
    expect(await links.lookup(made!.secret)).toMatchObject({ ok: true, link: { id: made!.link.id, vm: { id: '/vm/A' } } });
    expect(await links.count('/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/bastionHosts/b')).toBe(1);
    expect(await links.lookup('short')).toEqual({ ok: false, reason: 'unknown' });
    expect(await links.lookup(made!.secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toEqual({ ok: false, reason: 'unknown' });
    now = new Date('2030-01-01T01:00:00Z');
    expect(await links.lookup(made!.secret)).toEqual({ ok: false, reason: 'expired' });
    expect(await links.get(made!.link.id)).toBeUndefined();
    now = new Date('2030-01-01T00:00:00Z');
  });
});

describe('ApiTokens', () => {
  it('a token works until it expires, then it is gone', async () => {
    const tokens = new ApiTokens(b.store.db, clock);
    const user = (await b.store.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    const { token, view } = await tokens.issue({ userId: user, name: 't', clientIp: '127.0.0.1', userAgent: 'test', days: 1 });
    expect(await tokens.lookup(token)).toEqual({ userId: user, id: view.id });
    expect(await tokens.lookup(`${token}x`)).toBeUndefined();
    now = new Date('2030-01-02T00:00:01Z');
    expect(await tokens.lookup(token)).toBeUndefined();
    expect(await tokens.list(user)).toEqual([]);
  });
});
