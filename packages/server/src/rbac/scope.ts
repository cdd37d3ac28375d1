import { canonicalResourceId, parentScopes, scopeContains } from '../../../protocol/src/resource-id.js';
import { TENANT_SCOPE } from './actions.js';

/**
 * Scopes of role assignments: the tenant root '/', or a subscription, resource group or resource ID.
 * Compared case-insensitively on their canonical form, as Azure compares resource IDs.
 */

/** The canonical spelling of `scope`; throws ResourceIdError (with a user-facing message) if it does not parse. */
export function normalizeScope(scope: string): string {
  return scope === TENANT_SCOPE ? TENANT_SCOPE : canonicalResourceId(scope);
}

/** The key a scope is stored and compared under. */
export const scopeKey = (scope: string): string => normalizeScope(scope).toLowerCase();

/**
 * Keys of every scope whose assignments apply to `resourceId`, from the root down to the resource
 * itself: ['/', subscription, resource group, (parent,) resource]. For the root itself, just ['/'].
 */
export function scopeChainKeys(resourceId: string): string[] {
  if (resourceId === TENANT_SCOPE) return [TENANT_SCOPE];
  return [TENANT_SCOPE, ...parentScopes(resourceId).map((s) => s.toLowerCase())];
}

/** True when an assignment at `scope` applies to `resourceId` (the same resource or an ancestor). */
export function scopeCovers(scope: string, resourceId: string): boolean {
  if (scope === TENANT_SCOPE) return true;
  return resourceId !== TENANT_SCOPE && scopeContains(scope, resourceId);
}
