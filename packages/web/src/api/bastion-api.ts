import type {
  AuditEvent,
  AuthSession,
  BastionHost,
  ChangePasswordRequest,
  ListResponse,
  LoginRequest,
  Subscription,
  User,
  VirtualMachine,
  VirtualNetwork,
} from '../../../protocol/src/api-types.js';
import type { ApiClient } from './api-client.js';

/** Items of a list answer; tolerates a bare array too. */
export const listValues = <T>(body: ListResponse<T> | T[] | undefined): T[] => (Array.isArray(body) ? body : (body?.value ?? []));

const sub = (subscriptionId: string): string => `/api/subscriptions/${encodeURIComponent(subscriptionId)}`;

/**
 * The endpoints the portal uses, typed (docs/api-and-config.md). Sign-in and `me` also store the CSRF
 * token in the client; sign-out forgets it.
 */
export function bastionApi(client: ApiClient) {
  const list = async <T>(path: string): Promise<T[]> => listValues(await client.get<ListResponse<T> | T[]>(path));
  const remember = (session: AuthSession): AuthSession => {
    client.setCsrfToken(session.csrfToken);
    return session;
  };
  return {
    client,
    me: async (): Promise<AuthSession> => remember(await client.get<AuthSession>('/api/auth/me')),
    login: async (request: LoginRequest): Promise<AuthSession> => remember(await client.post<AuthSession>('/api/auth/login', request)),
    logout: async (): Promise<void> => {
      try {
        await client.post('/api/auth/logout');
      } finally {
        client.setCsrfToken(null);
      }
    },
    changePassword: (request: ChangePasswordRequest): Promise<void> => client.post('/api/auth/password', request),

    subscriptions: () => list<Subscription>('/api/subscriptions'),
    virtualMachines: (subscriptionId: string) => list<VirtualMachine>(`${sub(subscriptionId)}/providers/Microsoft.Compute/virtualMachines`),
    virtualNetworks: (subscriptionId: string) => list<VirtualNetwork>(`${sub(subscriptionId)}/providers/Microsoft.Network/virtualNetworks`),
    bastionHosts: (subscriptionId: string) => list<BastionHost>(`${sub(subscriptionId)}/providers/Microsoft.Network/bastionHosts`),

    users: () => list<User>('/api/users'),
    audit: (limit = 200) => list<AuditEvent>(`/api/audit?limit=${limit}`),
  };
}

export type BastionApi = ReturnType<typeof bastionApi>;
