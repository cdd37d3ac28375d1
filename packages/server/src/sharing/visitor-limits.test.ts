import { describe, expect, it } from 'vitest';
import { BastionError } from '../errors.js';
import { LINK_VISITOR_LIMITS, LinkVisitorLimits, VisitorLimited } from './visitor-limits.js';

const refusalOf = (fn: () => void): VisitorLimited | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof VisitorLimited) return err;
    throw err;
  }
  return undefined;
};

describe('LinkVisitorLimits', () => {
  it('limits ticket requests per link within 5 minutes, then frees the link again', () => {
    let now = 1_000_000;
    const limits = new LinkVisitorLimits(() => now);
    for (let i = 0; i < LINK_VISITOR_LIMITS.ticketsPerLink.limit; i++) expect(refusalOf(() => limits.ticketForLink('link-1'))).toBeUndefined();
    const refused = refusalOf(() => limits.ticketForLink('link-1'));
    expect(refused).toMatchObject({ limit: 'tickets-link', key: 'link-1', retryAfterMs: 300_000, report: true, statusCode: 429, headers: { 'retry-after': '300' } });
    expect(refusalOf(() => limits.ticketForLink('link-1'))?.report).toBe(false); // audited once a minute
    expect(refusalOf(() => limits.ticketForLink('link-2'))).toBeUndefined();
    now += 300_000;
    expect(refusalOf(() => limits.ticketForLink('link-1'))).toBeUndefined();
  });

  it('counts a lookup as a bad secret only when it ends in a 410', async () => {
    const limits = new LinkVisitorLimits();
    const gone = () => Promise.reject(new BastionError('BST_ERR_LINK_INVALID'));
    const broken = () => Promise.reject(new Error('database is down'));
    for (let i = 0; i < 50; i++) await expect(limits.lookup('10.0.0.1', broken)).rejects.toThrow('database is down');
    for (let i = 0; i < 50; i++) expect(await limits.lookup('10.0.0.1', async () => 'found')).toBe('found');
    for (let i = 0; i < LINK_VISITOR_LIMITS.badSecretsPerIp.limit; i++) await expect(limits.lookup('10.0.0.1', gone)).rejects.toMatchObject({ code: 'BST_ERR_LINK_INVALID' });
    await expect(limits.lookup('10.0.0.1', async () => 'found')).rejects.toMatchObject({ code: 'BST_ERR_RATE_LIMITED', limit: 'bad-secrets-ip' });
    // IPv6: the whole /64 is one address.
    for (let i = 0; i < LINK_VISITOR_LIMITS.badSecretsPerIp.limit; i++) await expect(limits.lookup(`2001:db8:5:6::${i + 1}`, gone)).rejects.toMatchObject({ code: 'BST_ERR_LINK_INVALID' });
    await expect(limits.lookup('2001:db8:5:6:ffff::1', gone)).rejects.toMatchObject({ code: 'BST_ERR_RATE_LIMITED' });
  });
});
