/**
 * Scopes for role assignments as the portal offers them: IDs, labels for pickers, and the choices on a
 * VM's Access control (IAM) tab. Pure functions over strings.
 */
import type { Principal, PrincipalType, RoleDefinition, Subscription } from '../../../protocol/src/api-types.js';
import { formatResourceId, parentScopes, parseResourceId, resourceTypeLabel } from '../../../protocol/src/resource-id.js';

/** The whole bastion: identity, audit and every subscription. */
export const ROOT_SCOPE = '/';

export interface ScopeOption {
  /** The scope ID (what is sent to the API). */
  value: string;
  /** What the Scope picker shows, e.g. "vm-web01-nic (network interface)". */
  label: string;
}

/** The ID of a virtual machine; throws ResourceIdError (a message fit for users) on an invalid name. */
export const vmIdFor = (subscriptionId: string, resourceGroup: string, name: string): string =>
  formatResourceId({ subscriptionId, resourceGroup, type: 'Microsoft.Compute/virtualMachines', name });

/** The subscription scope, `/subscriptions/<id>`. */
export const subscriptionScope = (subscriptionId: string): string =>
  formatResourceId({ subscriptionId, type: 'Microsoft.Resources/subscriptions', name: subscriptionId });

/** "web01-nic (network interface)", "Bastion (subscription)", "/ (root)"; the raw text when it is not an ID. */
export function scopeLabel(scope: string, subscription?: Subscription): string {
  if (scope === ROOT_SCOPE) return '/ (root)';
  try {
    const parts = parseResourceId(scope);
    const isSubscription = parts.type === 'Microsoft.Resources/subscriptions';
    const name = isSubscription && subscription?.subscriptionId === parts.subscriptionId ? subscription.displayName : parts.name;
    return `${name} (${resourceTypeLabel(parts.type)})`;
  } catch {
    return scope;
  }
}

const sameScope = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function uniqueOptions(scopes: readonly string[], subscription?: Subscription): ScopeOption[] {
  const seen: string[] = [];
  for (const scope of scopes) if (scope && !seen.some((s) => sameScope(s, scope))) seen.push(scope);
  return seen.map((value) => ({ value, label: scopeLabel(value, subscription) }));
}

export interface VmScopeInput {
  vmId: string;
  subscription?: Subscription;
  /** From the VM's `networkProfile` (empty when the VM could not be read). */
  nicIds?: readonly string[];
  bastionHostIds?: readonly string[];
}

/**
 * The scopes a VM's Access control (IAM) tab offers, the VM first: the VM, its NICs, its resource group,
 * the subscription, then the bastion hosts (what a user needs Reader on to connect).
 */
export function vmScopeOptions({ vmId, subscription, nicIds = [], bastionHostIds = [] }: VmScopeInput): ScopeOption[] {
  let ancestors: string[] = [];
  try {
    ancestors = parentScopes(vmId).slice(0, -1).reverse(); // resource group, then subscription
  } catch {
    // Not a resource ID: offer what we have.
  }
  return uniqueOptions([vmId, ...nicIds, ...ancestors, ...bastionHostIds], subscription);
}

/** The scope and everything above it, most specific first, ending with the root `/`. */
export function scopeChainOptions(scope: string, subscription?: Subscription): ScopeOption[] {
  if (scope === ROOT_SCOPE) return uniqueOptions([ROOT_SCOPE]);
  let chain: string[];
  try {
    chain = parentScopes(scope).reverse();
    chain[0] = scope; // keep the scope as given (the page and the URL agree)
  } catch {
    chain = [scope];
  }
  return uniqueOptions([...chain, ROOT_SCOPE], subscription);
}

/** True when `scope` is `ancestor` itself or below it (IDs compare case-insensitively). */
export function scopeWithin(scope: string, ancestor: string): boolean {
  if (ancestor === ROOT_SCOPE) return true;
  const a = ancestor.toLowerCase().replace(/\/+$/, '');
  const s = scope.toLowerCase();
  return s === a || s.startsWith(`${a}/`);
}

/** Whether `role` may be assigned at `scope` (a role without assignable scopes is offered everywhere). */
export const assignableAt = (role: Pick<RoleDefinition, 'assignableScopes'>, scope: string): boolean =>
  !role.assignableScopes?.length || role.assignableScopes.some((s) => scopeWithin(scope, s));

/** The Member picker's option text: "alice (user)". */
export const principalLabel = (p: Pick<Principal, 'type' | 'name'>): string => `${p.name} (${p.type})`;

/** The Member picker's option value: "user:alice". */
export const principalValue = (p: Pick<Principal, 'type' | 'name'>): string => `${p.type}:${p.name}`;

/** Reads a `principalValue` back; undefined for anything else. */
export function parsePrincipalValue(value: string): { type: PrincipalType; name: string } | undefined {
  const colon = value.indexOf(':');
  const type = value.slice(0, colon);
  const name = value.slice(colon + 1);
  if (colon < 0 || (type !== 'user' && type !== 'group') || name === '') return undefined;
  return { type, name };
}

/** "User" / "Group" for the Type column. */
export const principalTypeLabel = (type: PrincipalType | string): string => (type === 'group' ? 'Group' : type === 'user' ? 'User' : type);
