import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../server/src/storage/open.js';
import { ensureMasterKey, VaultStore, type SecretMetadata } from '../../server/src/vault/index.js';
import type { BackupResult } from './backup.js';
import { tempBastion } from './test-helpers.js';

let b: ReturnType<typeof tempBastion>;
beforeEach(() => {
  b = tempBastion();
});
afterEach(() => b.cleanup());

describe('bastion backup', () => {
  it('copies the database, vault.key (0600, folder 0700); a restore reads the same secrets', async () => {
    expect((await b.cli(['group', 'create', '-n', 'rg1'])).code).toBe(0);
    expect((await b.cli(['keyvault', 'create', '-g', 'rg1', '-n', 'kv1'])).code).toBe(0);
    expect((await b.cli(['keyvault', 'secret', 'set', '--vault-name', 'kv1', '-n', 'pw', '--content-type', 'password', '--value-stdin'], { stdin: 'Restored-Pass-1' })).code).toBe(0);
    const dest = join(b.dir, 'backup-1');
    const r = await b.cli(['backup', dest]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = r.json<BackupResult>();
    expect(result.database).toMatchObject({ kind: 'sqlite', file: join(dest, 'bastion.db'), integrity: 'ok' });
    expect(readdirSync(dest).sort()).toEqual(['bastion.db', 'vault.key']);
    expect(statSync(dest).mode & 0o777).toBe(0o700);
    for (const f of ['bastion.db', 'vault.key']) expect(statSync(join(dest, f)).mode & 0o777).toBe(0o600);

    // Restore: the backup's files as a new data folder.
    const restored = tempBastion();
    try {
      mkdirSync(join(restored.dir, 'data'), { mode: 0o700 });
      cpSync(dest, join(restored.dir, 'data'), { recursive: true });
      const shown = await restored.cli(['keyvault', 'secret', 'show', '--vault-name', 'kv1', '-n', 'pw']);
      const store = await openStore({ sqliteFile: join(restored.dir, 'data', 'bastion.db') });
      try {
        const key = ensureMasterKey(undefined, join(restored.dir, 'data'));
        expect(key.created).toBe(false);
        expect(shown.json<SecretMetadata>().keyId).toBe(key.masterKey.keyId);
        const vault = new VaultStore(store.db, key.masterKey);
        expect(await vault.getSecretValue(shown.json<SecretMetadata>().id)).toMatchObject({ value: 'Restored-Pass-1' });
      } finally {
        await store.close();
      }
    } finally {
      restored.cleanup();
    }
  });

  it('never writes into a folder that is not empty', async () => {
    expect((await b.cli(['group', 'create', '-n', 'rg1'])).code).toBe(0);
    const dest = join(b.dir, 'backup-1');
    expect((await b.cli(['backup', dest])).code).toBe(0);
    const again = await b.cli(['backup', dest]);
    expect(again.code).toBe(1);
    expect(again.err).toContain(`${dest} is not empty`);
  });

  it('for PostgreSQL, says to use pg_dump (without the password) and copies the key files', async () => {
    const pg = tempBastion('database:\n  url: postgres://bastion:s3cret@db.invalid:5432/bastion\n');
    try {
      mkdirSync(join(pg.dir, 'data'), { mode: 0o700 });
      ensureMasterKey(undefined, join(pg.dir, 'data'));
      const r = await pg.cli(['backup', join(pg.dir, 'bk')]);
      expect(r.code).toBe(0);
      const result = r.json<BackupResult>();
      expect(result.database).toMatchObject({ kind: 'postgres', hint: expect.stringContaining('pg_dump') });
      expect(JSON.stringify(result)).not.toContain('s3cret');
      expect(readdirSync(join(pg.dir, 'bk'))).toEqual(['vault.key']);
    } finally {
      pg.cleanup();
    }
  });
});
