import { describe, expect, it } from 'vitest';
import type { ConnectRequest } from '../connect/connect-request.js';
import { loadSettings, requestFrom, saveSettings } from './session-settings.js';

const VM = { vmId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-ssh', vmName: 'vm-ssh', username: 'vmuser', port: 22 };

function memoryStorage() {
  const items = new Map<string, string>();
  return { items, setItem: (k: string, v: string) => void items.set(k, v), getItem: (k: string) => items.get(k) ?? null };
}

describe('session settings kept across a reload', () => {
  const requests: ConnectRequest[] = [
    { protocol: 'ssh', ...VM, auth: { type: 'password', password: 'Vm-Pass-123' } },
    { protocol: 'ssh', ...VM, auth: { type: 'privateKey', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc', passphrase: 'key-phrase' } },
    { protocol: 'rdp', ...VM, port: 3389, password: 'Rdp-Pass-456' },
  ];

  it('never stores a password, a key or a passphrase', () => {
    const storage = memoryStorage();
    requests.forEach((r, i) => saveSettings(storage, `id${i}`, r));
    const all = [...storage.items.values()].join('\n');
    for (const secret of ['Vm-Pass-123', 'PRIVATE KEY', 'key-phrase', 'Rdp-Pass-456']) expect(all).not.toContain(secret);
    expect(all).toContain('vm-ssh');
  });

  it('round trips: the same request once the secret is given again', () => {
    const storage = memoryStorage();
    saveSettings(storage, 'a', requests[0]!);
    expect(requestFrom(loadSettings(storage, 'a')!, { type: 'password', password: 'Vm-Pass-123' })).toEqual(requests[0]);
    saveSettings(storage, 'b', requests[1]!);
    expect(requestFrom(loadSettings(storage, 'b')!, { type: 'privateKey', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc', passphrase: 'key-phrase' })).toEqual(requests[1]);
    saveSettings(storage, 'c', requests[2]!);
    expect(requestFrom(loadSettings(storage, 'c')!, { type: 'password', password: 'Rdp-Pass-456' })).toEqual(requests[2]);
  });

  it('a Key Vault reference is kept (an ID, not a secret) and needs nothing more', () => {
    const storage = memoryStorage();
    const request: ConnectRequest = { protocol: 'ssh', ...VM, auth: { type: 'vaultSecret', secretId: '/subscriptions/s/.../secrets/vm-key' } };
    saveSettings(storage, 'v', request);
    expect(requestFrom(loadSettings(storage, 'v')!, { type: 'none' })).toEqual(request);
  });

  it('a secret of the wrong kind, or tampered or missing settings, give nothing', () => {
    const storage = memoryStorage();
    saveSettings(storage, 'a', requests[0]!);
    expect(requestFrom(loadSettings(storage, 'a')!, { type: 'none' })).toBeUndefined();
    expect(loadSettings(storage, 'missing')).toBeUndefined();
    storage.setItem('bastion.session.t', '{"protocol":"ssh","vmId":"x","vmName":"x","username":"u","port":"22","auth":{"type":"password"}}');
    expect(loadSettings(storage, 't')).toBeUndefined();
    storage.setItem('bastion.session.j', 'not json');
    expect(loadSettings(storage, 'j')).toBeUndefined();
  });
});
