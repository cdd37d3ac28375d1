import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rdpFile } from '../native-rdp.js';
import { credentialsPath, deleteCredentials, needCredentials, readCredentials, writeCredentials, type Credentials } from './credentials.js';
import { tunnelPath } from './target.js';
import { normalizeFingerprint } from './tls-trust.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'bastion-cred-'));
  dirs.push(d);
  return d;
};

const creds: Credentials = { url: 'https://b:8443', token: 'bst_x', tokenId: 'id', username: 'u', expiresAt: '2030-01-01T00:00:00.000Z', tls: { mode: 'verified', fingerprint: 'AA' } };

describe('credentials file', () => {
  it('lives under XDG_CONFIG_HOME or ~/.config, unless BASTION_CREDENTIALS names it', () => {
    expect(credentialsPath({ HOME: '/home/u' })).toBe('/home/u/.config/bastion/credentials.json');
    expect(credentialsPath({ HOME: '/home/u', XDG_CONFIG_HOME: '/x' })).toBe('/x/bastion/credentials.json');
    expect(credentialsPath({ BASTION_CREDENTIALS: '/c.json' })).toBe('/c.json');
  });

  it('is written 0600 (also when it existed with a wider mode), read back, and deleted', () => {
    const env = { XDG_CONFIG_HOME: tmp() };
    const path = credentialsPath(env);
    writeCredentials(env, creds);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileSync(path, '{}', { mode: 0o644 });
    writeCredentials(env, creds);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readCredentials(env)).toEqual(creds);
    deleteCredentials(env);
    expect(readCredentials(env)).toBeUndefined();
    expect(() => needCredentials(env)).toThrow(/bastion login/);
  });
});

describe('helpers', () => {
  it('normalizes fingerprints in the usual spellings', () => {
    expect(normalizeFingerprint('ab:cd:ef')).toBe('AB:CD:EF');
    expect(normalizeFingerprint('SHA256:abcdef')).toBe('AB:CD:EF');
    expect(normalizeFingerprint('ab cd ef')).toBe('AB:CD:EF');
  });

  it('builds the tunnel URL for a VM and for an IP', () => {
    expect(tunnelPath({ vm: '/subscriptions/s/x', port: 22 }, 't')).toBe('/api/tunnel?vm=%2Fsubscriptions%2Fs%2Fx&port=22&tunnelId=t');
    expect(tunnelPath({ bastion: '/b', ip: '10.0.0.9', port: 3389 }, 't')).toBe('/api/tunnel?bastion=%2Fb&ip=10.0.0.9&port=3389&tunnelId=t');
  });

  it('writes an .rdp file for the local tunnel', () => {
    expect(rdpFile(50123, 'vmuser').split('\r\n')).toEqual(expect.arrayContaining(['full address:s:127.0.0.1:50123', 'username:s:vmuser']));
  });
});
