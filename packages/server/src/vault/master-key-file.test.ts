import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envOverrides } from '../config/load.js';
import { generateMasterKey, keyIdOf } from './crypto.js';
import { ensureMasterKey } from './master-key-file.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-vault-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ensureMasterKey', () => {
  it('creates <dataDir>/vault.key (0600) on first use and reads the same key afterwards', () => {
    const dir = tempDir();
    const first = ensureMasterKey(undefined, dir);
    expect(first).toMatchObject({ keyFile: join(dir, 'vault.key'), created: true });
    expect(statSync(join(dir, 'vault.key')).mode & 0o777).toBe(0o600);
    const again = ensureMasterKey({}, dir);
    expect(again.created).toBe(false);
    expect(again.masterKey.keyId).toBe(first.masterKey.keyId);
  });

  it('uses vault.key or vault.keyFile when configured, and creates nothing', () => {
    const dir = tempDir();
    const key = generateMasterKey();
    expect(ensureMasterKey({ key }, dir).masterKey.keyId).toBe(keyIdOf(Buffer.from(key, 'base64')));
    const file = join(dir, 'mine.key');
    writeFileSync(file, key);
    expect(ensureMasterKey({ keyFile: file }, dir)).toMatchObject({ keyFile: file, created: false });
    expect(() => readFileSync(join(dir, 'vault.key'))).toThrow();
  });

  it('names the file when the default key file is not a key', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'vault.key'), 'not base64!');
    expect(() => ensureMasterKey(undefined, dir)).toThrow(/vault key file .*vault\.key.*base64/);
  });

  it('refuses an emptied vault.key (a crash cut it) without writing a new key over it, and says to restore it', () => {
    const dir = tempDir();
    const file = join(dir, 'vault.key');
    writeFileSync(file, '', { mode: 0o600 });
    expect(() => ensureMasterKey(undefined, dir)).toThrow(new RegExp(`vault key file ${file} is empty.*does not generate a new key.*Restore .*backup.*delete it deliberately`));
    expect(readFileSync(file, 'utf8')).toBe('');
    writeFileSync(file, Buffer.from('short').toString('base64'));
    expect(() => ensureMasterKey(undefined, dir)).toThrow(/is not a vault key: must be 32 bytes .*got 5 bytes.*backup/);
  });

  it('is configurable from the environment (BASTION_VAULT__KEY_FILE)', () => {
    expect(envOverrides({ BASTION_VAULT__KEY_FILE: '/etc/bastion/vault.key' })).toEqual({ vault: { keyFile: '/etc/bastion/vault.key' } });
  });
});
