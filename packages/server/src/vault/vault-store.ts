import type { Kysely } from 'kysely';
import { conflict, notFound, validationError } from '../errors.js';
import type { Database } from '../storage/schema.js';
import { decryptSecret, encryptSecret, type EncryptedValue, type MasterKey } from './crypto.js';
import { checkSecretName, parseSecretId, parseVaultId, secretResourceId, vaultResourceId, type VaultIdParts } from './ids.js';

/** Row shapes of migration 0004, joined onto the shared `Database` with `withTables` (which wants type aliases). */
export type KeyVaultsTable = {
  id_key: string;
  id: string;
  subscription_id: string;
  resource_group: string;
  name: string;
  created_at: string;
  created_by: string | null;
};

export type KeyVaultSecretsTable = {
  id_key: string;
  id: string;
  vault_id_key: string;
  name: string;
  content_type: string;
  key_id: string;
  value_iv: string;
  value_ciphertext: string;
  value_tag: string;
  passphrase_iv: string | null;
  passphrase_ciphertext: string | null;
  passphrase_tag: string | null;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  updated_by: string | null;
};

export type VaultTables = { key_vaults: KeyVaultsTable; key_vault_secrets: KeyVaultSecretsTable };

export const SECRET_CONTENT_TYPES = ['password', 'ssh-private-key'] as const;
export type SecretContentType = (typeof SECRET_CONTENT_TYPES)[number];

/** Largest value (and passphrase) accepted, in UTF-8 bytes. */
export const MAX_SECRET_BYTES = 16 * 1024;

export interface KeyVault {
  id: string;
  type: 'Microsoft.KeyVault/vaults';
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  createdAt: string;
  createdBy: string | null;
}

/** What may be shown about a secret: never its value nor its passphrase. */
export interface SecretMetadata {
  id: string;
  type: 'Microsoft.KeyVault/vaults/secrets';
  name: string;
  vaultId: string;
  contentType: SecretContentType;
  hasPassphrase: boolean;
  /** The master key the value is encrypted with (hex key ID); differs from the configured one after a key change. */
  keyId: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface SecretInput {
  name: string;
  contentType: SecretContentType;
  value: string;
  /** Only for contentType 'ssh-private-key' (an encrypted private key). */
  passphrase?: string | undefined;
}

/** Plaintext for the SSH connector: server-side only, never serialise it to a response. */
export type SecretValue = { contentType: 'password'; value: string } | { contentType: 'ssh-private-key'; value: string; passphrase?: string };

const toVault = (row: KeyVaultsTable): KeyVault => ({
  id: row.id,
  type: 'Microsoft.KeyVault/vaults',
  name: row.name,
  subscriptionId: row.subscription_id,
  resourceGroup: row.resource_group,
  createdAt: row.created_at,
  createdBy: row.created_by,
});

const toSecret = (row: KeyVaultSecretsTable, vaultId: string): SecretMetadata => ({
  id: row.id,
  type: 'Microsoft.KeyVault/vaults/secrets',
  name: row.name,
  vaultId,
  contentType: row.content_type as SecretContentType,
  hasPassphrase: row.passphrase_ciphertext !== null,
  keyId: row.key_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  createdBy: row.created_by,
  updatedBy: row.updated_by,
});

const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
};

/** The passphrase is bound to its own AAD so it cannot be swapped with the value. */
const passphraseAad = (secretId: string): string => `${secretId}#passphrase`;

const PRIVATE_KEY_BLOCK = /^-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END \1PRIVATE KEY-----$/;

/** A private key must look like a PEM or OpenSSH private key block (ssh2 parses it for real at connect time). */
function checkPrivateKeyShape(value: string): void {
  const text = value.trim();
  if (/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-|sk-)/.test(text) || text.startsWith('-----BEGIN PUBLIC KEY') || text.startsWith('---- BEGIN SSH2 PUBLIC KEY')) {
    throw validationError('value is a public key: an ssh-private-key secret must hold the private key (e.g. the content of ~/.ssh/id_ed25519, not id_ed25519.pub).');
  }
  if (text.startsWith('PuTTY-User-Key-File-')) throw validationError('value is a PuTTY (.ppk) key: convert it to OpenSSH format first (puttygen key.ppk -O private-openssh -o key).');
  if (!PRIVATE_KEY_BLOCK.test(text)) {
    throw validationError('value does not look like a private key: expected a PEM or OpenSSH block from "-----BEGIN … PRIVATE KEY-----" to "-----END … PRIVATE KEY-----".');
  }
}

function checkSecretText(what: string, value: unknown): string {
  if (typeof value !== 'string') throw validationError(`${what} must be a string (got ${value === null ? 'null' : typeof value}).`);
  if (value === '') throw validationError(`${what} must not be empty.`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_SECRET_BYTES) throw validationError(`${what} is ${bytes} bytes long; the limit is ${MAX_SECRET_BYTES} bytes (16 KiB).`);
  if (value.includes('\0')) throw validationError(`${what} must not contain NUL characters.`);
  return value;
}

function checkSecretInput(input: SecretInput): SecretInput {
  if (typeof input !== 'object' || input === null) throw validationError('A secret needs name, contentType and value.');
  const name = checkSecretName(input.name);
  if (!SECRET_CONTENT_TYPES.includes(input.contentType)) {
    throw validationError(`contentType must be ${SECRET_CONTENT_TYPES.map((t) => JSON.stringify(t)).join(' or ')} (got ${JSON.stringify(input.contentType)}).`);
  }
  const value = checkSecretText('value', input.value);
  let passphrase: string | undefined;
  if (input.passphrase !== undefined && input.passphrase !== '') {
    if (input.contentType !== 'ssh-private-key') throw validationError('passphrase applies only to contentType "ssh-private-key".');
    passphrase = checkSecretText('passphrase', input.passphrase);
  }
  if (input.contentType === 'ssh-private-key') checkPrivateKeyShape(value);
  return { name, contentType: input.contentType, value, passphrase };
}

/**
 * Key vaults (`key_vaults`) and their secrets (`key_vault_secrets`), migration 0004. Values and passphrases
 * are encrypted with the master key (AES-256-GCM, AAD = the secret's resource ID). Everything returned is
 * metadata except `getSecretValue`, which is for the server-side SSH connector only. Errors are
 * BastionError codes: 400 bad input, 404 unknown vault/secret/resource group, 409 duplicate or in use.
 */
export class VaultStore {
  private readonly db: Kysely<Database & VaultTables>;

  constructor(
    db: Kysely<Database>,
    private readonly masterKey: MasterKey,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.db = db.withTables<VaultTables>();
  }

  /** The same store over a caller's transaction (design 0009: the change and its audit event commit together). */
  in(tx: Kysely<Database>): VaultStore {
    return new VaultStore(tx, this.masterKey, this.now);
  }

  /** The configured master key's ID (hex), to compare with `SecretMetadata.keyId`. */
  get keyId(): string {
    return this.masterKey.keyId;
  }

  // ----- vaults ------------------------------------------------------------------------------------

  /** Creates a vault in an existing resource group (404 if the group is not in the inventory, 409 if the vault exists). */
  async createVault(parts: VaultIdParts, opts: { createdBy?: string | null } = {}): Promise<KeyVault> {
    const id = vaultResourceId(parts);
    const rgId = `/subscriptions/${parts.subscriptionId}/resourceGroups/${parts.resourceGroup}`;
    const rg = await this.db.selectFrom('resources').select(['id', 'name']).where('id_key', '=', rgId.toLowerCase()).where('type', '=', 'Microsoft.Resources/resourceGroups').executeTakeFirst();
    if (!rg) throw notFound(`Resource group ${rgId}`);
    const row: KeyVaultsTable = {
      id_key: id.toLowerCase(),
      id,
      subscription_id: parts.subscriptionId,
      resource_group: parts.resourceGroup,
      name: parts.vaultName,
      created_at: this.now().toISOString(),
      created_by: opts.createdBy ?? null,
    };
    try {
      await this.db.insertInto('key_vaults').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`Key vault ${id} already exists.`);
      throw err;
    }
    return toVault(row);
  }

  /** Vaults, optionally only those under a subscription or resource group (matched case-insensitively), by ID. */
  async listVaults(filter: { subscriptionId?: string; resourceGroup?: string } = {}): Promise<KeyVault[]> {
    const rows = await this.db.selectFrom('key_vaults').selectAll().orderBy('id_key').execute();
    const sub = filter.subscriptionId?.toLowerCase();
    const rg = filter.resourceGroup?.toLowerCase();
    return rows
      .filter((r) => (sub === undefined || r.subscription_id.toLowerCase() === sub) && (rg === undefined || r.resource_group.toLowerCase() === rg))
      .map(toVault);
  }

  async getVault(id: string): Promise<KeyVault> {
    return toVault(await this.needVault(id));
  }

  /** Deletes an empty vault (409 while it holds secrets); returns what was deleted (for the audit event). */
  async deleteVault(id: string): Promise<KeyVault> {
    const row = await this.needVault(id);
    const held = await this.db.selectFrom('key_vault_secrets').select('id').where('vault_id_key', '=', row.id_key).executeTakeFirst();
    if (held) throw conflict(`Key vault ${row.id} still holds secrets (e.g. ${held.id}); delete them first.`);
    await this.db.deleteFrom('key_vaults').where('id_key', '=', row.id_key).execute();
    return toVault(row);
  }

  private async needVault(id: string): Promise<KeyVaultsTable> {
    const canonical = vaultResourceId(parseVaultId(id));
    const row = await this.db.selectFrom('key_vaults').selectAll().where('id_key', '=', canonical.toLowerCase()).executeTakeFirst();
    if (!row) throw notFound(`Key vault ${canonical}`);
    return row;
  }

  // ----- secrets -----------------------------------------------------------------------------------

  /** Creates or replaces the secret `input.name` in the vault; returns its metadata (never the value). */
  async setSecret(vaultId: string, input: SecretInput, opts: { actor?: string | null } = {}): Promise<SecretMetadata> {
    const vault = await this.needVault(vaultId);
    const checked = checkSecretInput(input);
    const id = secretResourceId({ subscriptionId: vault.subscription_id, resourceGroup: vault.resource_group, vaultName: vault.name, secretName: checked.name });
    const idKey = id.toLowerCase();
    const value = encryptSecret(this.masterKey, id, checked.value);
    const pass = checked.passphrase === undefined ? undefined : encryptSecret(this.masterKey, passphraseAad(id), checked.passphrase);
    const now = this.now().toISOString();
    const actor = opts.actor ?? null;
    const fields = {
      content_type: checked.contentType,
      key_id: value.keyId,
      value_iv: value.iv,
      value_ciphertext: value.ciphertext,
      value_tag: value.tag,
      passphrase_iv: pass?.iv ?? null,
      passphrase_ciphertext: pass?.ciphertext ?? null,
      passphrase_tag: pass?.tag ?? null,
      updated_at: now,
      updated_by: actor,
    };
    const existing = await this.db.selectFrom('key_vault_secrets').selectAll().where('id_key', '=', idKey).executeTakeFirst();
    if (existing) {
      await this.db.updateTable('key_vault_secrets').set(fields).where('id_key', '=', idKey).execute();
      return toSecret({ ...existing, ...fields }, vault.id);
    }
    const row: KeyVaultSecretsTable = { id_key: idKey, id, vault_id_key: vault.id_key, name: checked.name, created_at: now, created_by: actor, ...fields };
    try {
      await this.db.insertInto('key_vault_secrets').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`Secret ${id} was created concurrently; try again.`);
      throw err;
    }
    return toSecret(row, vault.id);
  }

  /** The vault's secrets by name: metadata only, never values. */
  async listSecrets(vaultId: string): Promise<SecretMetadata[]> {
    const vault = await this.needVault(vaultId);
    const rows = await this.db
      .selectFrom('key_vault_secrets')
      .select(['id_key', 'id', 'vault_id_key', 'name', 'content_type', 'key_id', 'passphrase_ciphertext', 'created_at', 'updated_at', 'created_by', 'updated_by'])
      .where('vault_id_key', '=', vault.id_key)
      .orderBy('id_key')
      .execute();
    return rows.map((r) => toSecret({ ...r, value_iv: '', value_ciphertext: '', value_tag: '', passphrase_iv: null, passphrase_tag: null }, vault.id));
  }

  async getSecret(id: string): Promise<SecretMetadata> {
    const { row, vault } = await this.needSecret(id);
    return toSecret(row, vault.id);
  }

  /**
   * The decrypted secret, for the server-side SSH connector only: never send it to a browser. Throws
   * VaultDecryptError (key-mismatch: another master key; integrity: altered or moved data).
   */
  async getSecretValue(id: string): Promise<SecretValue> {
    const { row } = await this.needSecret(id);
    const enc = (iv: string, ciphertext: string, tag: string): EncryptedValue => ({ keyId: row.key_id, iv, ciphertext, tag });
    const value = decryptSecret(this.masterKey, row.id, enc(row.value_iv, row.value_ciphertext, row.value_tag));
    if (row.content_type === 'password') return { contentType: 'password', value };
    if (row.passphrase_iv !== null && row.passphrase_ciphertext !== null && row.passphrase_tag !== null) {
      return { contentType: 'ssh-private-key', value, passphrase: decryptSecret(this.masterKey, passphraseAad(row.id), enc(row.passphrase_iv, row.passphrase_ciphertext, row.passphrase_tag)) };
    }
    return { contentType: 'ssh-private-key', value };
  }

  /** Deletes a secret; returns its metadata (for the audit event). */
  async deleteSecret(id: string): Promise<SecretMetadata> {
    const { row, vault } = await this.needSecret(id);
    await this.db.deleteFrom('key_vault_secrets').where('id_key', '=', row.id_key).execute();
    return toSecret(row, vault.id);
  }

  private async needSecret(id: string): Promise<{ row: KeyVaultSecretsTable; vault: KeyVaultsTable }> {
    const parts = parseSecretId(id);
    const vault = await this.needVault(vaultResourceId(parts));
    const canonical = secretResourceId(parts);
    const row = await this.db.selectFrom('key_vault_secrets').selectAll().where('id_key', '=', canonical.toLowerCase()).executeTakeFirst();
    if (!row) throw notFound(`Secret ${canonical}`);
    return { row, vault };
  }
}
