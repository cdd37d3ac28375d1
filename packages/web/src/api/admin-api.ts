import type { ApiToken, BastionHost, BastionHostProperties, Group, KeyVault, KeyVaultSecret, SecretContentType, User } from '../../../protocol/src/api-types.js';

export type { ApiToken, Group, KeyVault, KeyVaultSecret, SecretContentType };
import type { ApiClient } from './api-client.js';
import { listValues, resourcePath } from './bastion-api.js';

const user = (username: string): string => `/api/users/${encodeURIComponent(username)}`;
const group = (name: string): string => `/api/groups/${encodeURIComponent(name)}`;

/**
 * The administration endpoints of the portal's admin pages (issue #14: users, groups, my tokens, key
 * vaults, a bastion's configuration), beside `bastionApi`'s everyday ones (docs/api-and-config.md).
 */
export function adminApi(client: ApiClient) {
  return {
    createUser: (body: { username: string; password: string; displayName?: string }) => client.post<User>('/api/users', body),
    deleteUser: (username: string): Promise<void> => client.delete(user(username)),
    setUserDisabled: (username: string, disabled: boolean) => client.patch<User>(user(username), { disabled }),
    resetPassword: (username: string) => client.post<{ user: User; oneTimePassword: string }>(`${user(username)}/resetPassword`),

    groups: async () => listValues(await client.get<{ value: Group[] }>('/api/groups')),
    createGroup: (name: string) => client.post<Group>('/api/groups', { name }),
    deleteGroup: (name: string): Promise<void> => client.delete(group(name)),
    setMember: (name: string, username: string, member: boolean): Promise<void> =>
      member ? client.put(`${group(name)}/members/${encodeURIComponent(username)}`) : client.delete(`${group(name)}/members/${encodeURIComponent(username)}`),

    myTokens: () => client.get<{ value: ApiToken[]; current: string | null }>('/api/auth/tokens'),
    revokeToken: (id: string): Promise<void> => client.delete(`/api/auth/tokens/${encodeURIComponent(id)}`),

    keyVaults: async (subscriptionId: string) => listValues(await client.get<{ value: KeyVault[] }>(`/api/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.KeyVault/vaults`)),
    secrets: async (vaultId: string) => listValues(await client.get<{ value: KeyVaultSecret[] }>(`${resourcePath(vaultId)}/secrets`)),
    /** Creates the secret or replaces its value (a write-only field: nothing answers it back). */
    setSecret: (vaultId: string, name: string, properties: { contentType: SecretContentType; value: string; passphrase?: string }) =>
      client.put<KeyVaultSecret>(`${resourcePath(vaultId)}/secrets/${encodeURIComponent(name)}`, { properties }),
    deleteSecret: (secretId: string): Promise<void> => client.delete(resourcePath(secretId)),

    bastionHost: (id: string) => client.get<BastionHost>(resourcePath(id)),
    /** ARM PUT replaces: the caller sends every property (the page starts from the stored ones). */
    putBastionHost: (b: BastionHost, properties: BastionHostProperties) => client.put<BastionHost>(resourcePath(b.id), { ...(b.tags ? { tags: b.tags } : {}), properties }),
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
