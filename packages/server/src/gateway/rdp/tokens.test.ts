import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../storage/open.js';
import { RdpCertificateTrust } from './certificate-trust.js';
import { RdpTokenStore } from './tokens.js';

const target = { userId: 'u1', vmId: '/vm', host: '10.0.0.5', port: 3389 };

describe('RDP association tokens', () => {
  it('are single use, bound to user and exact destination, and expire after 30 s', () => {
    let now = 1_000;
    const store = new RdpTokenStore(30_000, () => now);
    const a = store.issue(target);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.expiresAt.getTime()).toBe(31_000);
    expect(store.redeem(a.token, 'u1', '10.0.0.5:3389')).toEqual({ ok: true, target });
    expect(store.redeem(a.token, 'u1', '10.0.0.5:3389')).toEqual({ ok: false, reason: 'invalid' });
    const b = store.issue(target);
    expect(store.redeem(b.token, 'u2', '10.0.0.5:3389')).toMatchObject({ ok: false, reason: 'other_user' });
    expect(store.redeem(b.token, 'u1', '10.0.0.5:3389')).toEqual({ ok: false, reason: 'invalid' });
    for (const wrong of ['10.0.0.5:3390', '10.0.0.6:3389', '10.0.0.5', ' 10.0.0.5:3389', 'vm:3389']) {
      const t = store.issue(target);
      expect(store.redeem(t.token, 'u1', wrong), wrong).toMatchObject({ ok: false, reason: 'other_destination' });
    }
    const c = store.issue(target);
    now += 30_000;
    expect(store.redeem(c.token, 'u1', '10.0.0.5:3389')).toEqual({ ok: false, reason: 'expired' });
    expect(store.redeem('', 'u1', 'x')).toEqual({ ok: false, reason: 'invalid' });
    expect(store.redeem('x'.repeat(200), 'u1', 'x')).toEqual({ ok: false, reason: 'invalid' });
    store.clear();
    expect(store.size).toBe(0);
  });
});

// The dial policy's cases moved to gateway/target-policy.test.ts with the policy.

describe('RDP certificate pinning', () => {
  it('pins on first use, records a changed certificate, and accepts only the one offered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdp-certs-'));
    const store = await openStore({ sqliteFile: join(dir, 'db.sqlite') });
    try {
      const trust = new RdpCertificateTrust(store.db);
      const a = { fingerprint: 'AA:01', subject: 'CN=a', validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z' };
      const b = { ...a, fingerprint: 'BB:02', subject: 'CN=b' };
      expect((await trust.check('/VM/One', '10.0.0.5', 3389, a)).status).toBe('new');
      expect((await trust.check('/vm/one', '10.0.0.5', 3389, a)).status).toBe('match');
      const changed = await trust.check('/vm/one', '10.0.0.5', 3389, b);
      expect(changed).toMatchObject({ status: 'changed', entry: { mismatch: true, pinned: { fingerprint: 'AA:01' }, lastOffered: { fingerprint: 'BB:02', subject: 'CN=b' } } });
      expect(await trust.accept('/vm/one', 3389, 'AA:01', 'admin')).toBeUndefined();
      expect(await trust.accept('/vm/one', 3390, 'BB:02', 'admin')).toBeUndefined();
      const accepted = await trust.accept('/vm/one', 3389, 'bb:02', 'admin');
      expect(accepted?.after).toMatchObject({ mismatch: false, lastOffered: null, pinned: { fingerprint: 'BB:02', acceptedBy: 'admin' } });
      expect((await trust.check('/vm/one', '10.0.0.5', 3389, b)).status).toBe('match');
      expect((await trust.check('/vm/one', '10.0.0.5', 3389, a)).status).toBe('changed');
      expect(await trust.list('/vm/one')).toHaveLength(1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
