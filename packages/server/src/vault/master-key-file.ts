import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BastionError } from '../errors.js';
import { writeFileDurably } from '../storage/durable-file.js';
import { generateMasterKey, loadMasterKey, parseMasterKey, type MasterKey } from './crypto.js';

/** The key file of the embedded setup, beside the database (like the self-signed TLS material). */
export const DEFAULT_VAULT_KEY_FILE = 'vault.key';

/**
 * The vault's master key: `vault.key` or `vault.keyFile` when configured; otherwise `<dataDir>/vault.key`,
 * created (mode 0600, 32 random bytes in base64) on first use and read thereafter. Creation is durable and
 * exclusive (storage/durable-file.ts): a crash leaves no empty file, and two processes starting at once
 * (server and CLI) cannot each write a different key: the loser reads the winner's file.
 * An existing file that is not a key is never replaced: every stored secret was encrypted with the key it
 * held, so a new one would lose them all without a word. The start stops and says what to do instead.
 */
export function ensureMasterKey(cfg: { key?: string | undefined; keyFile?: string | undefined } | undefined, dataDir: string): { masterKey: MasterKey; keyFile: string | undefined; created: boolean } {
  const configured = loadMasterKey(cfg);
  if (configured) return { masterKey: configured, keyFile: cfg?.keyFile, created: false };
  const keyFile = join(dataDir, DEFAULT_VAULT_KEY_FILE);
  let created = false;
  try {
    writeFileDurably(keyFile, `${generateMasterKey()}\n`, { mode: 0o600, exclusive: true });
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
  try {
    return { masterKey: parseMasterKey(text, `vault key file (${keyFile})`), keyFile, created };
  } catch (err) {
    const what = text.length === 0 ? 'is empty (0 bytes)' : `is not a vault key: ${(err as Error).message.replace(/^vault key file \([^)]*\) /, '')}`;
    throw new BastionError(
      'BST_ERR_CONFIG',
      `The vault key file ${keyFile} ${what} The bastion does not generate a new key over it: every stored secret was encrypted with the key it held. ` +
        `Restore ${keyFile} from a backup of the data folder; or, to start over without the stored secrets, delete it deliberately (every Key Vault secret must then be set again).`,
      { cause: err },
    );
  }
}
