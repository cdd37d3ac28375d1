import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BastionError, type ErrorCode } from '../errors.js';
import { MIGRATION_NAMES } from '../storage/migrate.js';
import { up as vaultMigration } from '../storage/migrations/0004-vault.js';
import { openStore, type Store } from '../storage/open.js';
import { decryptSecret, encryptSecret, generateMasterKey, loadMasterKey, parseMasterKey, VaultDecryptError } from './crypto.js';
import { parseSecretId, secretResourceId, vaultResourceId } from './ids.js';
import { MAX_SECRET_BYTES, VaultStore, type KeyVaultSecretsTable } from './vault-store.js';

/** Vault secrets in real SQLite: encryption at rest, AAD binding, key mismatch, and each refusal. */

const SUB = '00000000-0000-0000-0000-000000000001';
const RG = 'rg-app';
const PASSWORD = 'correct horse battery staple 7f3a9c';
const PRIVATE_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const OPENSSH_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${randomBytes(300).toString('base64').replace(/(.{70})/g, '$1\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;

let dir: string;
let store: Store;
let master: ReturnType<typeof parseMasterKey>;
let vaults: VaultStore;
let vaultId: string;

const refuses = async (p: Promise<unknown>, code: ErrorCode, fragment: string | RegExp): Promise<BastionError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BastionError);
  expect((err as BastionError).code).toBe(code);
  expect((err as BastionError).message).toMatch(fragment);
  return err as BastionError;
};

const rawRow = async (id: string): Promise<KeyVaultSecretsTable> => {
  const { rows } = await sql<KeyVaultSecretsTable>`select * from key_vault_secrets where id_key = ${id.toLowerCase()}`.execute(store.db);
  if (!rows[0]) throw new Error(`no row for ${id}`);
  return rows[0];
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bastion-vault-'));
  store = await openStore({ sqliteFile: join(dir, 'bastion.db') });
  // migrate.ts does not list 0004 yet; once it does, openStore has already run it.
  if (!MIGRATION_NAMES.includes('0004-vault')) await vaultMigration(store.db as Kysely<unknown>, store.dialect);
  const now = new Date().toISOString();
  const rgId = `/subscriptions/${SUB}/resourceGroups/${RG}`;
  await store.db
    .insertInto('resources')
    .values({ id_key: rgId.toLowerCase(), id: rgId, type: 'Microsoft.Resources/resourceGroups', subscription_id: SUB, resource_group: RG, name: RG, parent_key: null, location: null, tags: '{}', properties: '{}', created_at: now, updated_at: now })
    .execute();
  master = parseMasterKey(generateMasterKey());
  vaults = new VaultStore(store.db, master);
  vaultId = (await vaults.createVault({ subscriptionId: SUB, resourceGroup: RG, vaultName: 'kv-app' }, { createdBy: 'alice' })).id;
});

afterAll(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('master key', () => {
  it('parses 32 bytes of base64 and derives an 8-byte hex key id', () => {
    const k = parseMasterKey(`  ${Buffer.alloc(32, 7).toString('base64')}\n`);
    expect(k.key.length).toBe(32);
    expect(k.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(parseMasterKey(Buffer.alloc(32, 7).toString('base64url')).keyId).toBe(k.keyId);
  });

  it('refuses a key of the wrong length or not in base64, with a clear message', () => {
    expect(() => parseMasterKey(Buffer.alloc(12).toString('base64'))).toThrow('vault.key must be 32 bytes encoded in base64 (got 12 bytes).');
    expect(() => parseMasterKey('not base64!')).toThrow(/not base64/);
    expect(() => parseMasterKey('')).toThrow(/empty/);
  });

  it('loads from a key file, and refuses key and keyFile together', () => {
    const file = join(dir, 'vault.key');
    const text = generateMasterKey();
    writeFileSync(file, `${text}\n`);
    expect(loadMasterKey({ keyFile: file })?.keyId).toBe(parseMasterKey(text).keyId);
    expect(loadMasterKey(undefined)).toBeUndefined();
    expect(() => loadMasterKey({ key: text, keyFile: file })).toThrow(/not both/);
    expect(() => loadMasterKey({ keyFile: join(dir, 'missing') })).toThrow(/cannot be read/);
  });

  it('uses a fresh IV each time and detects a tampered tag', () => {
    const id = '/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv1/secrets/a';
    const a = encryptSecret(master, id, 'same');
    const b = encryptSecret(master, id, 'same');
    expect(a.iv).not.toBe(b.iv);
    expect(Buffer.from(a.iv, 'base64').length).toBe(12);
    expect(decryptSecret(master, id.toUpperCase().replace('/SUBSCRIPTIONS', '/subscriptions'), a)).toBe('same');
    const tag = Buffer.from(a.tag, 'base64');
    tag[0] = (tag[0] ?? 0) ^ 1;
    expect(() => decryptSecret(master, id, { ...a, tag: tag.toString('base64') })).toThrow(/altered or belongs to another secret/);
  });
});

describe('ids', () => {
  it('builds and parses vault and secret IDs with canonical casing', () => {
    const v = vaultResourceId({ subscriptionId: SUB, resourceGroup: RG, vaultName: 'kv-app' });
    expect(v).toBe(`/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults/kv-app`);
    expect(parseSecretId(`${v.toLowerCase()}/SECRETS/db-pass`)).toEqual({ subscriptionId: SUB, resourceGroup: 'rg-app', vaultName: 'kv-app', secretName: 'db-pass' });
    expect(() => vaultResourceId({ subscriptionId: SUB, resourceGroup: RG, vaultName: '1kv' })).toThrow(/must start with a letter/);
    expect(() => secretResourceId({ subscriptionId: SUB, resourceGroup: RG, vaultName: 'kv-app', secretName: 'a_b' })).toThrow(/only letters, digits and '-'/);
  });
});

describe('vault store', () => {
  it('round-trips a password and a private key with passphrase', async () => {
    const pw = await vaults.setSecret(vaultId, { name: 'db-pass', contentType: 'password', value: PASSWORD }, { actor: 'alice' });
    expect(pw).toMatchObject({ id: `${vaultId}/secrets/db-pass`, contentType: 'password', hasPassphrase: false, keyId: master.keyId, createdBy: 'alice' });
    expect(await vaults.getSecretValue(pw.id)).toEqual({ contentType: 'password', value: PASSWORD });

    const key = await vaults.setSecret(vaultId, { name: 'deploy-key', contentType: 'ssh-private-key', value: PRIVATE_KEY, passphrase: 'hunter2-pass' });
    expect(key.hasPassphrase).toBe(true);
    expect(await vaults.getSecretValue(key.id.toLowerCase())).toEqual({ contentType: 'ssh-private-key', value: PRIVATE_KEY, passphrase: 'hunter2-pass' });

    const ossh = await vaults.setSecret(vaultId, { name: 'openssh-key', contentType: 'ssh-private-key', value: OPENSSH_KEY });
    expect(await vaults.getSecretValue(ossh.id)).toEqual({ contentType: 'ssh-private-key', value: OPENSSH_KEY });
  });

  it('replaces a secret in place, keeping createdAt/createdBy', async () => {
    const first = await vaults.setSecret(vaultId, { name: 'rotate-me', contentType: 'password', value: 'one' }, { actor: 'alice' });
    const second = await vaults.setSecret(vaultId, { name: 'rotate-me', contentType: 'password', value: 'two' }, { actor: 'bob' });
    expect(second).toMatchObject({ createdAt: first.createdAt, createdBy: 'alice', updatedBy: 'bob' });
    expect((await vaults.getSecretValue(second.id)).value).toBe('two');
  });

  it('never stores the plaintext in the database row', async () => {
    const pw = await vaults.getSecret(`${vaultId}/secrets/db-pass`);
    const key = await vaults.getSecret(`${vaultId}/secrets/deploy-key`);
    const rows = JSON.stringify([await rawRow(pw.id), await rawRow(key.id)]);
    expect(rows).not.toContain(PASSWORD);
    expect(rows).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(rows).not.toContain('PRIVATE KEY');
    expect(rows).not.toContain('hunter2-pass');
    const { rows: all } = await sql<Record<string, unknown>>`select * from key_vault_secrets`.execute(store.db);
    expect(JSON.stringify(all)).not.toContain(PASSWORD);
  });

  it('lists metadata only, never values', async () => {
    const list = await vaults.listSecrets(vaultId.toUpperCase().replace('/SUBSCRIPTIONS', '/subscriptions'));
    expect(list.map((s) => s.name)).toEqual(['db-pass', 'deploy-key', 'openssh-key', 'rotate-me']);
    const text = JSON.stringify(list);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('hunter2');
    for (const s of list) expect(Object.keys(s).sort()).toEqual(['contentType', 'createdAt', 'createdBy', 'hasPassphrase', 'id', 'keyId', 'name', 'type', 'updatedAt', 'updatedBy', 'vaultId']);
  });

  it('refuses a ciphertext moved onto another secret (AAD is the secret ID)', async () => {
    const victim = await vaults.setSecret(vaultId, { name: 'victim', contentType: 'password', value: 'victim-value' });
    const src = await rawRow(`${vaultId}/secrets/db-pass`);
    await store.db
      .withTables<{ key_vault_secrets: KeyVaultSecretsTable }>()
      .updateTable('key_vault_secrets')
      .set({ value_iv: src.value_iv, value_ciphertext: src.value_ciphertext, value_tag: src.value_tag })
      .where('id_key', '=', victim.id.toLowerCase())
      .execute();
    const err = await refuses(vaults.getSecretValue(victim.id), 'BST_ERR_INTERNAL', /altered or belongs to another secret/);
    expect((err as VaultDecryptError).reason).toBe('integrity');
    expect(err.message).not.toContain(PASSWORD);
  });

  it('refuses a tampered tag in the row', async () => {
    const s = await vaults.setSecret(vaultId, { name: 'tampered', contentType: 'password', value: 'x-value' });
    const row = await rawRow(s.id);
    const tag = Buffer.from(row.value_tag, 'base64');
    tag[15] = (tag[15] ?? 0) ^ 0x80;
    await sql`update key_vault_secrets set value_tag = ${tag.toString('base64')} where id_key = ${s.id.toLowerCase()}`.execute(store.db);
    await refuses(vaults.getSecretValue(s.id), 'BST_ERR_INTERNAL', /altered/);
  });

  it('names the key id mismatch when the master key changed', async () => {
    const other = parseMasterKey(generateMasterKey());
    const err = await refuses(new VaultStore(store.db, other).getSecretValue(`${vaultId}/secrets/db-pass`), 'BST_ERR_CONFIG', /encrypted with vault key [0-9a-f]{16}, but the configured vault\.key has key id [0-9a-f]{16}/);
    expect(err.message).toContain(master.keyId);
    expect(err.message).toContain(other.keyId);
    expect((err as VaultDecryptError).reason).toBe('key-mismatch');
  });

  it('refuses bad input and unknown vaults or secrets', async () => {
    const missingVault = vaultResourceId({ subscriptionId: SUB, resourceGroup: RG, vaultName: 'kv-none' });
    await refuses(vaults.setSecret(missingVault, { name: 'a', contentType: 'password', value: 'x' }), 'BST_ERR_NOT_FOUND', /Key vault .*kv-none was not found/);
    await refuses(vaults.setSecret('/subscriptions/x/nope', { name: 'a', contentType: 'password', value: 'x' }), 'BST_ERR_VALIDATION', /not a key vault ID/);
    await refuses(vaults.setSecret(vaultId, { name: 'bad name', contentType: 'password', value: 'x' }), 'BST_ERR_VALIDATION', /Invalid secret name/);
    await refuses(vaults.setSecret(vaultId, { name: 'a', contentType: 'certificate' as 'password', value: 'x' }), 'BST_ERR_VALIDATION', /contentType must be/);
    await refuses(vaults.setSecret(vaultId, { name: 'a', contentType: 'password', value: '' }), 'BST_ERR_VALIDATION', /must not be empty/);
    await refuses(vaults.setSecret(vaultId, { name: 'a', contentType: 'password', value: 'x'.repeat(MAX_SECRET_BYTES + 1) }), 'BST_ERR_VALIDATION', /16385 bytes long; the limit is 16384/);
    await refuses(vaults.setSecret(vaultId, { name: 'a', contentType: 'password', value: 'x', passphrase: 'p' }), 'BST_ERR_VALIDATION', /passphrase applies only/);
    await refuses(vaults.setSecret(vaultId, { name: 'a', contentType: 'ssh-private-key', value: 'just a password' }), 'BST_ERR_VALIDATION', /does not look like a private key/);
    await refuses(vaults.setSecret(vaultId, { name: 'a', contentType: 'ssh-private-key', value: 'ssh-ed25519 AAAAC3Nz user@host' }), 'BST_ERR_VALIDATION', /public key/);
    await refuses(vaults.getSecretValue(`${vaultId}/secrets/nope`), 'BST_ERR_NOT_FOUND', /Secret .*nope was not found/);
    await refuses(vaults.deleteSecret(`${vaultId}/secrets/nope`), 'BST_ERR_NOT_FOUND', /not found/);
  });

  it('creates vaults only in known resource groups, once, and deletes only empty ones', async () => {
    await refuses(vaults.createVault({ subscriptionId: SUB, resourceGroup: 'rg-none', vaultName: 'kv-x' }), 'BST_ERR_NOT_FOUND', /Resource group .*rg-none was not found/);
    await refuses(vaults.createVault({ subscriptionId: SUB, resourceGroup: RG, vaultName: 'KV-APP' }), 'BST_ERR_CONFLICT', /already exists/);
    await refuses(vaults.createVault({ subscriptionId: SUB, resourceGroup: RG, vaultName: 'kv' }), 'BST_ERR_VALIDATION', /3 to 24/);
    const other = await vaults.createVault({ subscriptionId: SUB, resourceGroup: RG, vaultName: 'kv-other' });
    expect((await vaults.listVaults({ subscriptionId: SUB, resourceGroup: 'RG-APP' })).map((v) => v.name)).toEqual(['kv-app', 'kv-other']);
    expect(await vaults.listVaults({ subscriptionId: 'other-sub' })).toEqual([]);
    await refuses(vaults.deleteVault(vaultId), 'BST_ERR_CONFLICT', /still holds secrets/);
    expect((await vaults.deleteVault(other.id)).name).toBe('kv-other');
  });

  it('deletes a secret and returns its metadata', async () => {
    const gone = await vaults.deleteSecret(`${vaultId}/secrets/rotate-me`);
    expect(gone.name).toBe('rotate-me');
    expect(JSON.stringify(gone)).not.toContain('two');
    await refuses(vaults.getSecret(gone.id), 'BST_ERR_NOT_FOUND', /not found/);
  });
});
