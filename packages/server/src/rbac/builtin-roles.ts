import { TENANT_SCOPE } from './actions.js';
import type { RoleDefinition } from './types.js';

/**
 * The built-in roles, with Azure's own role definition GUIDs so scripts written for Azure read the
 * same here. They live in code, not in the database: they cannot be changed or deleted.
 */
const builtin = (id: string, name: string, description: string, actions: string[], notActions: string[] = [], dataActions: string[] = []): RoleDefinition =>
  Object.freeze({
    ...{ id, name, description, roleType: 'BuiltInRole' as const, createdAt: null, updatedAt: null },
    actions: Object.freeze(actions) as string[],
    notActions: Object.freeze(notActions) as string[],
    dataActions: Object.freeze(dataActions) as string[],
    notDataActions: Object.freeze([] as string[]) as string[],
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

// Key Vault roles, trimmed to this catalogue. Secret metadata and management are actions here (Azure puts
// them in the data plane); reading a value is the data action getSecret, which `*` does not grant.
export const KEY_VAULT_ADMINISTRATOR = builtin(
  '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  'Key Vault Administrator',
  'Perform all data plane operations on a key vault and all objects in it, including reading secret values.',
  ['Microsoft.Authorization/*/read', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.KeyVault/vaults/read', 'Microsoft.KeyVault/vaults/secrets/*'],
  [],
  ['Microsoft.KeyVault/vaults/*'],
);

export const KEY_VAULT_SECRETS_USER = builtin(
  '4633458b-17de-408a-b874-0445c86b69e6',
  'Key Vault Secrets User',
  'Read secret contents (for example to connect with a vault secret). Lists vaults and secret metadata too.',
  ['Microsoft.KeyVault/vaults/read', 'Microsoft.KeyVault/vaults/secrets/read'],
  [],
  ['Microsoft.KeyVault/vaults/secrets/getSecret/action'],
);

export const KEY_VAULT_READER = builtin(
  '21090545-7ca7-4776-b22c-e363652d74d2',
  'Key Vault Reader',
  'Read metadata of key vaults and their secrets. Cannot read secret contents.',
  ['Microsoft.Authorization/*/read', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.KeyVault/vaults/read', 'Microsoft.KeyVault/vaults/*/read'],
);

export const BUILTIN_ROLES: readonly RoleDefinition[] = [OWNER, CONTRIBUTOR, READER, USER_ACCESS_ADMINISTRATOR, KEY_VAULT_ADMINISTRATOR, KEY_VAULT_SECRETS_USER, KEY_VAULT_READER];

/** The built-in role with this ID or name (case-insensitive), if any. */
export function findBuiltinRole(idOrName: string): RoleDefinition | undefined {
  const key = idOrName.toLowerCase();
  return BUILTIN_ROLES.find((r) => r.id === key || r.name.toLowerCase() === key);
}
