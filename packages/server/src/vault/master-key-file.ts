import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BastionError } from '../errors.js';
import { generateMasterKey, loadMasterKey, parseMasterKey, type MasterKey } from './crypto.js';

/** The key file of the embedded setup, beside the database (like the self-signed TLS material). */
export const DEFAULT_VAULT_KEY_FILE = 'vault.key';

/**
 * The vault's master key: `vault.key` or `vault.keyFile` when configured; otherwise `<dataDir>/vault.key`,
 * created (mode 0600, 32 random bytes in base64) on first use and read thereafter. Creation uses `wx` so
 * two processes starting at once (server and CLI) cannot each write a different key: the loser reads the
 * winner's file. Losing that file makes every stored secret unreadable, so it belongs in backups.
 */
export function ensureMasterKey(cfg: { key?: string | undefined; keyFile?: string | undefined } | undefined, dataDir: string): { masterKey: MasterKey; keyFile: string | undefined; created: boolean } {
  const configured = loadMasterKey(cfg);
  if (configured) return { masterKey: configured, keyFile: cfg?.keyFile, created: false };
  const keyFile = join(dataDir, DEFAULT_VAULT_KEY_FILE);
  let created = false;
  try {
    writeFileSync(keyFile, `${generateMasterKey()}\n`, { mode: 0o600, flag: 'wx' });
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new BastionError('BST_ERR_CONFIG', `Cannot create the vault key file ${keyFile}: ${(err as Error).message}`, { cause: err });
  }
  let text: string;
  try {
    text = readFileSync(keyFile, 'utf8');
  } catch (err) {
    throw new BastionError('BST_ERR_CONFIG', `The vault key file ${keyFile} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  return { masterKey: parseMasterKey(text, `vault key file (${keyFile})`), keyFile, created };
}
