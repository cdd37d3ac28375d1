import { ResourceIdError, validateResourceName, validateSubscriptionId } from '../../../protocol/src/resource-id.js';
import { validationError } from '../errors.js';

/**
 * Resource IDs of key vaults and their secrets, until resource-id.ts knows these types:
 *   /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<vault>
 *   /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<vault>/secrets/<name>
 * Fixed segments are matched case-insensitively and written back in canonical casing.
 */

export const VAULT_TYPE = 'Microsoft.KeyVault/vaults';
export const SECRET_TYPE = 'Microsoft.KeyVault/vaults/secrets';

export interface VaultIdParts {
  subscriptionId: string;
  resourceGroup: string;
  vaultName: string;
}

export interface SecretIdParts extends VaultIdParts {
  secretName: string;
}

/** Azure's vault name rule: 3–24 letters, digits and '-', starting with a letter, ending with a letter or digit, no '--'. */
export function vaultNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `must be a string (got ${typeof name})`;
  if (name.length < 3 || name.length > 24) return `is ${name.length} characters long; it must be 3 to 24`;
  if (!/^[A-Za-z0-9-]+$/.test(name)) return "may contain only letters, digits and '-'";
  if (!/^[A-Za-z]/.test(name)) return 'must start with a letter';
  if (!/[A-Za-z0-9]$/.test(name)) return 'must end with a letter or a digit';
  if (name.includes('--')) return "must not contain '--'";
  return undefined;
}

/** Azure's secret name rule: 1–127 letters, digits and '-'. */
export function secretNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `must be a string (got ${typeof name})`;
  if (name.length < 1 || name.length > 127) return `is ${name.length} characters long; it must be 1 to 127`;
  if (!/^[A-Za-z0-9-]+$/.test(name)) return "may contain only letters, digits and '-'";
  return undefined;
}

const show = (v: unknown): string => JSON.stringify(typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…` : v);

export function checkVaultName(name: unknown): string {
  const problem = vaultNameProblem(name);
  if (problem) throw validationError(`Invalid key vault name ${show(name)}: ${problem}.`);
  return name as string;
}

export function checkSecretName(name: unknown): string {
  const problem = secretNameProblem(name);
  if (problem) throw validationError(`Invalid secret name ${show(name)}: ${problem}.`);
  return name as string;
}

function checkScopeParts(subscriptionId: unknown, resourceGroup: unknown): void {
  try {
    validateSubscriptionId(subscriptionId as string);
    validateResourceName(resourceGroup as string, 'resource group name');
  } catch (err) {
    if (err instanceof ResourceIdError) throw validationError(err.message);
    throw err;
  }
}

export function vaultResourceId(p: VaultIdParts): string {
  checkScopeParts(p.subscriptionId, p.resourceGroup);
  checkVaultName(p.vaultName);
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/Microsoft.KeyVault/vaults/${p.vaultName}`;
}

export function secretResourceId(p: SecretIdParts): string {
  return `${vaultResourceId(p)}/secrets/${checkSecretName(p.secretName)}`;
}

const VAULT_RE = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)$/i;
const SECRET_RE = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)\/secrets\/([^/]+)$/i;

/** Parses a key vault ID (400 if malformed). */
export function parseVaultId(id: unknown): VaultIdParts {
  const m = typeof id === 'string' ? VAULT_RE.exec(id.trim().replace(/\/+$/, '')) : null;
  if (!m) throw validationError(`${show(id)} is not a key vault ID (expected /subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>).`);
  const parts = { subscriptionId: m[1] as string, resourceGroup: m[2] as string, vaultName: m[3] as string };
  vaultResourceId(parts);
  return parts;
}

/** Parses a key vault secret ID (400 if malformed). */
export function parseSecretId(id: unknown): SecretIdParts {
  const m = typeof id === 'string' ? SECRET_RE.exec(id.trim().replace(/\/+$/, '')) : null;
  if (!m) throw validationError(`${show(id)} is not a key vault secret ID (expected …/providers/Microsoft.KeyVault/vaults/<vault>/secrets/<name>).`);
  const parts = { subscriptionId: m[1] as string, resourceGroup: m[2] as string, vaultName: m[3] as string, secretName: m[4] as string };
  secretResourceId(parts);
  return parts;
}

/** The canonical-cased form of a vault or secret ID. */
export const canonicalVaultId = (id: string): string => vaultResourceId(parseVaultId(id));
export const canonicalSecretId = (id: string): string => secretResourceId(parseSecretId(id));
