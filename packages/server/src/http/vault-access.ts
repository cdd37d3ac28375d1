import type { FastifyRequest } from 'fastify';
import type { SshWireErrorCode } from '../../../protocol/src/ssh-messages.js';
import type { AuditLog } from '../audit/audit-log.js';
import { BastionError } from '../errors.js';
import type { SshAuth } from '../gateway/ssh/index.js';
import type { SshTicketAuth, SshTicketTarget } from '../gateway/ssh/tickets.js';
import { DATA_ACTIONS } from '../rbac/index.js';
import { canonicalSecretId, SECRET_CONTENT_TYPES, VaultDecryptError, type VaultStore } from '../vault/index.js';
import { requestWho } from './request-who.js';

const GET_SECRET = DATA_ACTIONS.keyVaultSecrets.getSecret;
const nameOf = (id: string): string => id.slice(id.lastIndexOf('/') + 1);

/** The vault, or a clear error when this app was built without one (no master key). */
export function needVault(vault: VaultStore | undefined): VaultStore {
  if (!vault) throw new BastionError('BST_ERR_CONFIG', 'The key vault is not available: this bastion has no vault master key (vault.key or vault.keyFile).');
  return vault;
}

/**
 * Ticket issue with `{ type: 'vaultSecret', secretId }`: the caller needs the getSecret data action on
 * the secret (403 naming it, audited as access.denied), the secret must exist and hold SSH credentials.
 * The ticket keeps only the canonical reference; nothing is decrypted here.
 */
export async function vaultTicketAuth(deps: { vault?: VaultStore | undefined }, request: FastifyRequest, secretId: string): Promise<SshTicketAuth> {
  const vault = needVault(deps.vault);
  const id = canonicalSecretId(secretId);
  await request.authorize(GET_SECRET, id);
  const secret = await vault.getSecret(id);
  if (!SECRET_CONTENT_TYPES.includes(secret.contentType)) throw new BastionError('BST_ERR_VALIDATION', `Secret ${secret.name} holds ${secret.contentType}, which cannot sign in to SSH.`);
  return { type: 'vaultSecret', secretId: secret.id };
}

export type ResolvedTicketAuth = { ok: true; auth: SshAuth } | { ok: false; code: SshWireErrorCode; message: string };

/**
 * At redemption (WebSocket upgrade): a vault reference becomes the SSH credentials, decrypted here and
 * handed to ssh2 only. getSecret is checked again (a role removed since the ticket refuses the session).
 * Typed credentials pass through unchanged.
 */
export async function resolveTicketAuth(deps: { vault?: VaultStore | undefined; audit: AuditLog }, request: FastifyRequest, target: SshTicketTarget): Promise<ResolvedTicketAuth> {
  const ref = target.auth;
  if (ref.type !== 'vaultSecret') return { ok: true, auth: ref };
  const who = { ...requestWho(request), target: ref.secretId };
  const decision = (await request.grants()).check(GET_SECRET, ref.secretId);
  if (!decision.allowed) {
    await deps.audit.write({ ...who, type: 'access.denied', outcome: 'denied', message: decision.reason, details: { action: GET_SECRET, vmId: target.vmId } });
    return { ok: false, code: 'forbidden', message: `You do not have permission for ${GET_SECRET} on secret ${nameOf(ref.secretId)}.` };
  }
  if (!deps.vault) return { ok: false, code: 'internal', message: 'The key vault is not available on this bastion.' };
  let value;
  try {
    value = await deps.vault.getSecretValue(ref.secretId);
  } catch (err) {
    if (err instanceof BastionError && err.code === 'BST_ERR_NOT_FOUND') return { ok: false, code: 'auth_failed', message: `The vault secret ${nameOf(ref.secretId)} no longer exists.` };
    if (err instanceof VaultDecryptError) {
      request.log.error({ err, secretId: ref.secretId }, 'vault secret cannot be decrypted');
      return { ok: false, code: 'internal', message: `The vault secret ${nameOf(ref.secretId)} cannot be decrypted with this bastion's vault key; ask an administrator.` };
    }
    throw err;
  }
  await deps.audit.write({ ...who, type: 'vault.secret.used', outcome: 'success', message: `Secret ${nameOf(ref.secretId)} used to connect to ${target.vmId}.`, details: { vmId: target.vmId, contentType: value.contentType } });
  if (value.contentType === 'password') return { ok: true, auth: { type: 'password', password: value.value } };
  return { ok: true, auth: { type: 'privateKey', privateKey: value.value, ...(value.passphrase !== undefined ? { passphrase: value.passphrase } : {}) } };
}
