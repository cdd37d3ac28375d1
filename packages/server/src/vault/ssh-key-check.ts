import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { validationError } from '../errors.js';
import { classifyKeyError } from '../gateway/ssh/errors.js';

/**
 * Refuses (400) an ssh-private-key secret that ssh2 cannot open, when it is set rather than at the first
 * Connect: not a key, an encrypted key without its passphrase, or a passphrase that does not open it.
 * The store itself checks only the PEM shape (it must not depend on the SSH library).
 */
export function checkSshPrivateKeySecret(value: string, passphrase: string | undefined): void {
  let parsed: ParsedKey | ParsedKey[] | Error;
  try {
    parsed = ssh2.utils.parseKey(value, passphrase === '' ? undefined : passphrase);
  } catch (err) {
    parsed = err instanceof Error ? err : new Error(String(err));
  }
  if (parsed instanceof Error) {
    const code = classifyKeyError(parsed).code;
    if (code === 'passphrase_required') throw validationError('The private key is encrypted: give its passphrase too (properties.passphrase, or --passphrase-file); it is stored encrypted beside the key.');
    if (code === 'bad_passphrase') throw validationError('The passphrase does not open the private key: it is wrong for this key.');
    throw validationError('The value is not a private key ssh2 can read: expected an OpenSSH or PEM private key (RSA, ECDSA or Ed25519).');
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key.isPrivateKey?.() === false) throw validationError('The value is a public key: an ssh-private-key secret must hold the private key.');
}
