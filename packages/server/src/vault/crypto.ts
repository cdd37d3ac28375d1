import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BastionError } from '../errors.js';

/**
 * Envelope encryption of vault secrets: AES-256-GCM under one master key from configuration (`vault.key`,
 * 32 bytes in base64, or `vault.keyFile`). Every value gets a fresh random 12-byte IV; the additional
 * authenticated data is the secret's resource ID (lowercased: IDs are case-insensitive), so a ciphertext
 * copied onto another secret's row fails to decrypt. Records carry the key ID (first 8 bytes of SHA-256
 * of the key, hex) so a changed master key is reported as such rather than as corruption.
 */

export const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

export interface MasterKey {
  readonly key: Buffer;
  /** First 8 bytes of SHA-256(key), hex: identifies the key without revealing it. */
  readonly keyId: string;
}

/** One encrypted value, every field base64 except `keyId` (hex). */
export interface EncryptedValue {
  keyId: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/** Why a stored value could not be decrypted: another master key, or altered / moved data. */
export type VaultDecryptReason = 'key-mismatch' | 'integrity';

export class VaultDecryptError extends BastionError {
  readonly reason: VaultDecryptReason;
  constructor(reason: VaultDecryptReason, message: string, cause?: unknown) {
    super(reason === 'key-mismatch' ? 'BST_ERR_CONFIG' : 'BST_ERR_INTERNAL', message, cause === undefined ? undefined : { cause });
    this.name = 'VaultDecryptError';
    this.reason = reason;
  }
}

export const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest().subarray(0, 8).toString('hex');

const configError = (message: string): BastionError => new BastionError('BST_ERR_CONFIG', message);

/**
 * Parses `vault.key` (or a key file's content): 32 bytes in standard or URL-safe base64, surrounding
 * whitespace ignored. `label` names the setting in messages.
 */
export function parseMasterKey(text: string, label = 'vault.key'): MasterKey {
  if (typeof text !== 'string') throw configError(`${label} must be a string (32 bytes encoded in base64).`);
  const trimmed = text.trim();
  if (trimmed === '') throw configError(`${label} is empty: it must be 32 bytes encoded in base64 (generate one with \`openssl rand -base64 32\`).`);
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw configError(`${label} must be 32 bytes encoded in base64 (it contains characters that are not base64).`);
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== MASTER_KEY_BYTES) throw configError(`${label} must be ${MASTER_KEY_BYTES} bytes encoded in base64 (got ${key.length} bytes).`);
  return { key, keyId: keyIdOf(key) };
}

/**
 * The master key from configuration: `key` (base64 text) or `keyFile` (a file holding it), not both.
 * Undefined when neither is set (the vault is then unavailable).
 */
export function loadMasterKey(cfg: { key?: string | undefined; keyFile?: string | undefined } | undefined): MasterKey | undefined {
  if (!cfg) return undefined;
  if (cfg.key !== undefined && cfg.keyFile !== undefined) throw configError('Set vault.key or vault.keyFile, not both.');
  if (cfg.key !== undefined) return parseMasterKey(cfg.key, 'vault.key');
  if (cfg.keyFile === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(cfg.keyFile, 'utf8');
  } catch (err) {
    throw new BastionError('BST_ERR_CONFIG', `vault.keyFile ${cfg.keyFile} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  return parseMasterKey(text, `vault.keyFile (${cfg.keyFile})`);
}

/** A new random master key, base64 (for `bastion vault generate-key` or first-run setup). */
export const generateMasterKey = (): string => randomBytes(MASTER_KEY_BYTES).toString('base64');

const aadOf = (id: string): Buffer => Buffer.from(id.trim().toLowerCase(), 'utf8');

/** Encrypts `plaintext` for the secret (or secret part) `id`; `id` is bound as AAD. */
export function encryptSecret(master: MasterKey, id: string, plaintext: string): EncryptedValue {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, master.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadOf(id));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { keyId: master.keyId, iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/**
 * Decrypts a value encrypted for `id`. Throws VaultDecryptError: `key-mismatch` (BST_ERR_CONFIG) when the
 * record names another key ID than the configured key's, `integrity` (BST_ERR_INTERNAL) when the
 * ciphertext, IV or tag was altered or the value belongs to another secret.
 */
export function decryptSecret(master: MasterKey, id: string, value: EncryptedValue): string {
  if (value.keyId !== master.keyId) {
    throw new VaultDecryptError(
      'key-mismatch',
      `Secret ${id} was encrypted with vault key ${value.keyId}, but the configured vault.key has key id ${master.keyId}: configure the key it was written with, or set the secret again.`,
    );
  }
  const iv = Buffer.from(value.iv, 'base64');
  const tag = Buffer.from(value.tag, 'base64');
  const integrity = (cause?: unknown): VaultDecryptError =>
    new VaultDecryptError('integrity', `Secret ${id} cannot be decrypted with vault key ${master.keyId}: the stored value was altered or belongs to another secret.`, cause);
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw integrity();
  try {
    const decipher = createDecipheriv(ALGORITHM, master.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aadOf(id));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(value.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch (err) {
    throw integrity(err);
  }
}
