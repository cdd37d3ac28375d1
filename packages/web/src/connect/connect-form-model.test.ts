import { describe, expect, it } from 'vitest';
import { authenticationTypesFor, initialConnectForm, privateKeyFileProblem, validateConnectForm, withProtocol } from './connect-form-model.js';

const VM = { id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1', name: 'vm1' };

describe('Connect form', () => {
  it('starts with SSH on 22 for Linux and RDP on 3389 for Windows, opening a new tab like Azure', () => {
    expect(initialConnectForm('Linux')).toMatchObject({ protocol: 'ssh', port: '22', authType: 'password', openInNewTab: true });
    expect(initialConnectForm('Windows')).toMatchObject({ protocol: 'rdp', port: '3389' });
  });

  it('follows the protocol with the default port, but keeps a port the user typed', () => {
    expect(withProtocol(initialConnectForm('linux'), 'rdp').port).toBe('3389');
    expect(withProtocol({ ...initialConnectForm('linux'), port: '2222' }, 'rdp').port).toBe('2222');
    expect(withProtocol({ ...initialConnectForm('linux'), authType: 'privateKeyFile' }, 'rdp').authType).toBe('password');
    expect(authenticationTypesFor('rdp')).toEqual(['password']);
  });

  it('names every missing field', () => {
    const result = validateConnectForm({ ...initialConnectForm('linux'), port: '70000' }, VM);
    expect(result).toEqual({ ok: false, errors: { port: 'Enter a port from 1 to 65535.', username: 'Enter the username on the VM.', password: 'Enter the password.' } });
    const key = validateConnectForm({ ...initialConnectForm('linux'), username: 'u', authType: 'privateKeyFile' }, VM);
    expect(key.ok ? undefined : key.errors.privateKey).toBe('Choose the private key file.');
    const vault = validateConnectForm({ ...initialConnectForm('linux'), username: 'u', authType: 'vaultPassword' }, VM);
    expect(vault.ok ? undefined : vault.errors.secret).toBe('Choose a secret.');
  });

  it('builds the request for each authentication type', () => {
    const base = { ...initialConnectForm('linux'), username: ' vmuser ', port: '2222' };
    expect(validateConnectForm({ ...base, password: 'pw' }, VM)).toEqual({
      ok: true,
      request: { protocol: 'ssh', vmId: VM.id, vmName: 'vm1', username: 'vmuser', port: 2222, auth: { type: 'password', password: 'pw' } },
    });
    const key = validateConnectForm({ ...base, authType: 'privateKeyFile', privateKey: 'KEY', passphrase: 'pp' }, VM);
    expect(key.ok && key.request.protocol === 'ssh' && key.request.auth).toEqual({ type: 'privateKey', privateKey: 'KEY', passphrase: 'pp' });
    const noPassphrase = validateConnectForm({ ...base, authType: 'privateKeyFile', privateKey: 'KEY' }, VM);
    expect(noPassphrase.ok && noPassphrase.request.protocol === 'ssh' && noPassphrase.request.auth).toEqual({ type: 'privateKey', privateKey: 'KEY' });
    const vault = validateConnectForm({ ...base, authType: 'vaultPrivateKey', vaultId: 'v', secretId: 'S' }, VM);
    expect(vault.ok && vault.request.protocol === 'ssh' && vault.request.auth).toEqual({ type: 'vaultSecret', secretId: 'S' });
    const rdp = validateConnectForm({ ...withProtocol(base, 'rdp'), password: 'pw' }, VM);
    expect(rdp).toMatchObject({ ok: true, request: { protocol: 'rdp', port: 2222, password: 'pw' } });
  });

  it('accepts private key files and explains the wrong ones', () => {
    expect(privateKeyFileProblem('-----BEGIN OPENSSH PRIVATE KEY-----\nabc', 400)).toBeUndefined();
    expect(privateKeyFileProblem('-----BEGIN RSA PRIVATE KEY-----\nabc', 400)).toBeUndefined();
    expect(privateKeyFileProblem('PuTTY-User-Key-File-3: ssh-ed25519\n', 400)).toBeUndefined();
    expect(privateKeyFileProblem('ssh-ed25519 AAAAC3Nza user@host', 80)).toMatch(/public key/);
    expect(privateKeyFileProblem('hello', 5)).toMatch(/not an SSH private key/);
    expect(privateKeyFileProblem('', 100 * 1024)).toMatch(/at most 64 KB/);
  });
});
