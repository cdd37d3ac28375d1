import { describe, expect, it } from 'vitest';
import { ACTIONS, DATA_ACTIONS } from './actions.js';
import { CONTRIBUTOR, KEY_VAULT_ADMINISTRATOR, KEY_VAULT_READER, KEY_VAULT_SECRETS_USER, OWNER, READER } from './builtin-roles.js';
import { GrantSet } from './grants.js';
import type { RoleDefinition } from './types.js';

const KV = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1';
const SECRET = `${KV}/secrets/db-password`;
const GET = DATA_ACTIONS.keyVaultSecrets.getSecret;
const at = (role: RoleDefinition, scope = '/'): GrantSet =>
  new GrantSet([{ role, scopeKey: scope.toLowerCase(), assignment: { id: 'a', principalType: 'user', principalId: 'u', roleDefinitionId: role.id, scope, createdAt: '', createdBy: null } }]);

describe('data actions (Azure: actions and dataActions are separate lists)', () => {
  it("Owner's and Contributor's `*` manage vaults and secrets but do not read secret values", () => {
    for (const role of [OWNER, CONTRIBUTOR]) {
      const grants = at(role);
      expect(grants.allows(ACTIONS.keyVaultSecrets.write, SECRET)).toBe(true);
      expect(grants.allows(ACTIONS.keyVaults.delete, KV)).toBe(true);
      expect(grants.check(GET, SECRET)).toEqual({ allowed: false, reason: expect.stringContaining(`grants ${GET}`) });
      expect(grants.allowsSomewhere(GET)).toBe(false);
    }
  });

  it('Key Vault Secrets User and Administrator read values; Reader and Key Vault Reader only metadata', () => {
    expect(at(KEY_VAULT_SECRETS_USER).allows(GET, SECRET)).toBe(true);
    expect(at(KEY_VAULT_SECRETS_USER).allows(ACTIONS.keyVaultSecrets.write, SECRET)).toBe(false);
    expect(at(KEY_VAULT_ADMINISTRATOR).allows(GET, SECRET)).toBe(true);
    expect(at(KEY_VAULT_ADMINISTRATOR).allows(ACTIONS.keyVaultSecrets.delete, SECRET)).toBe(true);
    expect(at(KEY_VAULT_ADMINISTRATOR).allows(ACTIONS.keyVaults.delete, KV)).toBe(false);
    for (const role of [READER, KEY_VAULT_READER]) {
      expect(at(role).allows(ACTIONS.keyVaultSecrets.read, SECRET)).toBe(true);
      expect(at(role).allows(ACTIONS.keyVaults.read, KV)).toBe(true);
      expect(at(role).allows(GET, SECRET)).toBe(false);
    }
  });

  it('a grant on one secret covers that secret only; one on the vault covers its secrets', () => {
    expect(at(KEY_VAULT_SECRETS_USER, SECRET).allows(GET, SECRET)).toBe(true);
    expect(at(KEY_VAULT_SECRETS_USER, SECRET).allows(GET, `${KV}/secrets/other`)).toBe(false);
    expect(at(KEY_VAULT_SECRETS_USER, KV).allows(GET, `${KV}/secrets/other`)).toBe(true);
    expect(at(KEY_VAULT_SECRETS_USER, KV).allowsSomewhere(GET)).toBe(true);
  });
});
