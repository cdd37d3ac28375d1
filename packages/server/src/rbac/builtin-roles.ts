import { TENANT_SCOPE } from './actions.js';
import type { RoleDefinition } from './types.js';

/**
 * The four built-in roles, with Azure's own role definition GUIDs so scripts written for Azure read the
 * same here. They live in code, not in the database: they cannot be changed or deleted.
 */
const builtin = (id: string, name: string, description: string, actions: string[], notActions: string[] = []): RoleDefinition =>
  Object.freeze({
    ...{ id, name, description, roleType: 'BuiltInRole' as const, createdAt: null, updatedAt: null },
    actions: Object.freeze(actions) as string[],
    notActions: Object.freeze(notActions) as string[],
    assignableScopes: Object.freeze([TENANT_SCOPE]) as string[],
  });

export const OWNER = builtin('8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'Owner', 'Grants full access to manage all resources, including the ability to assign roles.', ['*']);

export const CONTRIBUTOR = builtin(
  'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'Contributor',
  'Grants full access to manage all resources, but does not allow you to assign roles or manage users and groups.',
  ['*'],
  ['Microsoft.Authorization/*/Write', 'Microsoft.Authorization/*/Delete', 'Bastion.Identity/*/write', 'Bastion.Identity/*/delete'],
);

export const READER = builtin('acdd72a7-3385-48ef-bd42-f606fba81ae7', 'Reader', 'View all resources, but does not allow you to make any changes.', ['*/read']);

export const USER_ACCESS_ADMINISTRATOR = builtin(
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'User Access Administrator',
  'Lets you manage user access to resources.',
  ['*/read', 'Microsoft.Authorization/*'],
);

export const BUILTIN_ROLES: readonly RoleDefinition[] = [OWNER, CONTRIBUTOR, READER, USER_ACCESS_ADMINISTRATOR];

/** The built-in role with this ID or name (case-insensitive), if any. */
export function findBuiltinRole(idOrName: string): RoleDefinition | undefined {
  const key = idOrName.toLowerCase();
  return BUILTIN_ROLES.find((r) => r.id === key || r.name.toLowerCase() === key);
}
