import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../storage/open.js';
import { RdpCertificateTrust } from './certificate-trust.js';
import { checkDialTarget } from './dial-policy.js';
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

describe('dial policy', () => {
  const vnet = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v';
  const peer = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/p';
  const bastion = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/bastionHosts/b';
  const vm = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm';
  const inventoryWith = (ip: string) => {
    const items: Record<string, object> = {
      [vm]: { properties: { networkProfile: { networkInterfaces: [{ id: 'nic' }] } } },
      nic: { properties: { ipConfigurations: [{ properties: { privateIPAddress: ip } }] } },
      [bastion]: { properties: { virtualNetwork: { id: vnet } } },
      [vnet]: { properties: { addressSpace: { addressPrefixes: ['10.90.0.0/16'] } } },
      [peer]: { properties: { addressSpace: { addressPrefixes: ['10.91.0.0/16'] } } },
    };
    return {
      get: async (id: string) => items[id] as never,
      list: async () => [{ properties: { peeringState: 'Connected', remoteVirtualNetwork: { id: peer } } }] as never,
    };
  };
  it('dials only the NIC address the token names, inside the bastion network or a peered one', async () => {
    expect(await checkDialTarget(inventoryWith('10.90.1.6'), vm, bastion, '10.90.1.6')).toEqual({ ok: true, host: '10.90.1.6' });
    expect(await checkDialTarget(inventoryWith('10.91.3.4'), vm, bastion, '10.91.3.4')).toEqual({ ok: true, host: '10.91.3.4' });
    expect(await checkDialTarget(inventoryWith('10.90.1.7'), vm, bastion, '10.90.1.6')).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('changed') });
    expect(await checkDialTarget(inventoryWith('10.92.0.4'), vm, bastion, '10.92.0.4')).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('outside') });
    expect(await checkDialTarget(inventoryWith('127.0.0.1'), vm, bastion, '127.0.0.1')).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('loopback') });
    expect(await checkDialTarget(inventoryWith('169.254.169.254'), vm, bastion, '169.254.169.254')).toMatchObject({ ok: false, status: 403 });
    expect(await checkDialTarget(inventoryWith('10.90.1.6'), vm, null, '10.90.1.6')).toMatchObject({ ok: false, status: 403 });
    expect(await checkDialTarget(inventoryWith('10.90.1.6'), `${vm}x`, bastion, '10.90.1.6')).toMatchObject({ ok: false, status: 404 });
  });
});

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
