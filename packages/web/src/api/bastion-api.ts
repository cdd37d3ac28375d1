import type {
  AuditEvent,
  AuthSession,
  BastionHost,
  ChangePasswordRequest,
  ConnectCheck,
  CreateRoleAssignmentRequest,
  ListResponse,
  LoginRequest,
  Principal,
  RoleAssignment,
  RoleDefinition,
  Subscription,
  User,
  VirtualMachine,
  VirtualNetwork,
} from '../../../protocol/src/api-types.js';
import type { ActiveSession, DisconnectResult } from '../../../protocol/src/active-sessions.js';
import type { BastionAuditRecord } from '../../../protocol/src/bastion-audit-log.js';
import type { ApiClient } from './api-client.js';

export interface SshTicketRequest {
  username: string;
  port?: number;
  auth:
    | { type: 'password'; password: string }
    | { type: 'privateKey'; privateKey: string; passphrase?: string }
    | { type: 'vaultSecret'; secretId: string };
}

export interface SshTicketResponse {
  ticket: string;
  /** The WebSocket path (same origin) that redeems the ticket. */
  url: string;
  expiresAt: string;
  /** False when the bastion has `disableCopyPaste`: the terminal keeps the clipboard out (no copy, no paste). */
  clipboard: boolean;
}

/** What the Connect form needs of a key vault and of its secrets (never a value). */
export interface KeyVaultSummary {
  id: string;
  name: string;
}
export interface VaultSecretSummary {
  id: string;
  name: string;
  contentType?: string;
  properties?: { contentType?: string };
}

/** A secret's content type, wherever the server put it. */
export const secretContentType = (s: VaultSecretSummary): string | undefined => s.properties?.contentType ?? s.contentType;

/** Items of a list answer; tolerates a bare array too. */
export const listValues = <T>(body: ListResponse<T> | T[] | undefined): T[] => (Array.isArray(body) ? body : (body?.value ?? []));

/** The API path of a resource from its ID (`/subscriptions/…`). */
export const resourcePath = (id: string): string => `/api${id.startsWith('/') ? id : `/${id}`}`;

/** `GET /api/roleAssignments` for a scope, inherited assignments included by default. */
export const roleAssignmentsPath = (scope: string, includeInherited = true): string =>
  `/api/roleAssignments?scope=${encodeURIComponent(scope)}&includeInherited=${includeInherited}`;

const sub = (subscriptionId: string): string => `/api/subscriptions/${encodeURIComponent(subscriptionId)}`;

/**
 * The endpoints the portal uses, typed (docs/api-and-config.md). Sign-in and `me` also store the CSRF
 * token in the client; sign-out forgets it.
 */
export function bastionApi(client: ApiClient) {
  const list = async <T>(path: string, method: 'GET' | 'POST' = 'GET', body?: unknown): Promise<T[]> =>
    listValues(method === 'GET' ? await client.get<ListResponse<T> | T[]>(path) : await client.post<ListResponse<T> | T[]>(path, body));
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
    virtualMachine: (id: string) => client.get<VirtualMachine>(resourcePath(id)),
    connectCheck: (vmId: string) => client.get<ConnectCheck>(`${resourcePath(vmId)}/bastionConnectCheck`),

    roleDefinitions: () => list<RoleDefinition>('/api/roleDefinitions'),
    roleAssignments: (scope: string) => list<RoleAssignment>(roleAssignmentsPath(scope)),
    createRoleAssignment: (request: CreateRoleAssignmentRequest) => client.post<RoleAssignment>('/api/roleAssignments', request),
    deleteRoleAssignment: (id: string): Promise<void> => client.delete(`/api/roleAssignments/${encodeURIComponent(id)}`),
    principals: () => list<Principal>('/api/principals'),

    /** A single-use, 30-second connect ticket for a browser SSH session (design 0003). */
    sshTicket: (vmId: string, body: SshTicketRequest) => client.post<SshTicketResponse>(`${resourcePath(vmId)}/bastionSsh`, body),
    keyVaults: (subscriptionId: string) => list<KeyVaultSummary>(`${sub(subscriptionId)}/providers/Microsoft.KeyVault/vaults`),
    vaultSecrets: (vaultId: string) => list<VaultSecretSummary>(`${resourcePath(vaultId)}/secrets`),

    users: () => list<User>('/api/users'),
    /** Live sessions through one bastion (Azure getActiveSessions) and an administrator's disconnect (design 0005). */
    activeSessions: (bastionId: string) => list<ActiveSession>(`${resourcePath(bastionId)}/getActiveSessions`, 'POST'),
    disconnectSessions: (bastionId: string, sessionIds: string[]) => list<DisconnectResult>(`${resourcePath(bastionId)}/disconnectActiveSessions`, 'POST', { value: sessionIds }),
    /** Connection records and audit events; `query` from `auditQuery` (portal/audit/audit-filters.ts). */
    connectionRecords: (query: string) => list<BastionAuditRecord>(`/api/bastionAuditLogs?${query}`),
    auditEvents: (query: string) => list<AuditEvent>(`/api/audit?${query}`),
    audit: (limit = 200) => list<AuditEvent>(`/api/audit?limit=${limit}`),
  };
}

export type BastionApi = ReturnType<typeof bastionApi>;
