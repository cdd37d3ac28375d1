/**
 * Shapes of the HTTP API's JSON bodies (docs/api-and-config.md), shared by the server, the web client
 * and the CLI. Plain types only: no runtime code, no Node or DOM APIs.
 */
import type { AuditEvent } from './audit-events.js';
import type { ResourceType } from './resource-id.js';

export type { AuditEvent, AuditEventType, AuditOutcome } from './audit-events.js';

// ---------------------------------------------------------------------------------------------------
// Errors

/** Every error response: `{ error: { code, message, statusCode } }`; `code` is a stable `BST_ERR_*` code. */
export interface ApiErrorBody {
  error: {
    code: string;
    /** Safe to show to users as is. */
    message: string;
    statusCode: number;
  };
}

/** Lists answer `{ value: [...] }` (ARM habit). */
export interface ListResponse<T> {
  value: T[];
}

// ---------------------------------------------------------------------------------------------------
// Authentication and identity

export interface User {
  id: string;
  username: string;
  displayName: string;
  isAdmin: boolean;
  /** True for the first admin with a one-time password: everything but `/api/auth/*` answers 403 until changed. */
  mustChangePassword: boolean;
  /** Set by an administrator (Users page): a disabled user cannot sign in. Absent from older servers. */
  disabled?: boolean;
  groups: string[];
  /** What the portal shows in its navigation (from `GET /api/auth/me`); absent from older servers. */
  permissions?: UserPermissions;
}

/** `user.permissions`: which portal areas the signed-in user may manage or read. */
export interface UserPermissions {
  /** May create and delete role assignments (Access control (IAM)). */
  manageAccess: boolean;
  /** May manage users and groups. */
  manageIdentity: boolean;
  /** May read the audit log. */
  readAudit: boolean;
  /** May play session recordings somewhere (Bastion.Recordings/recordings/playback/action): the Recordings page. */
  readRecordings?: boolean;
  /** May list live sessions (getActiveSessions) on at least one bastion: the Sessions page. */
  viewSessions?: boolean;
}

/** `GET /api/auth/permissions?scope=<resource id>`: what the signed-in user may do at that scope. */
export interface ScopePermissions {
  /** The scope as the server normalized it. */
  scope: string;
  /** May create role assignments at `scope` (Microsoft.Authorization/roleAssignments/write). */
  manageAccess: boolean;
}

/** `POST /api/auth/login` body. */
export interface LoginRequest {
  username: string;
  password: string;
}

/** `POST /api/auth/login` and `GET /api/auth/me` answer; send `csrfToken` as `X-CSRF-Token` on writes. */
export interface AuthSession {
  user: User;
  csrfToken: string;
}

/** `POST /api/auth/password` body (answers 204). */
export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

/** `POST /api/users` body. */
export interface CreateUserRequest {
  username: string;
  password: string;
  displayName?: string;
}

/** `POST /api/groups` body. */
export interface CreateGroupRequest {
  name: string;
}

/** `GET /api/audit?type=&limit=` answer. */
export type AuditListResponse = ListResponse<AuditEvent>;

// ---------------------------------------------------------------------------------------------------
// Inventory (ARM-shaped)

/** `GET /api/subscriptions` lists these. */
export interface Subscription {
  subscriptionId: string;
  displayName: string;
}

/** One inventory resource as the API shows it. */
export interface Resource<P = Record<string, unknown>> {
  id: string;
  name: string;
  type: ResourceType;
  resourceGroup: string | null;
  location?: string | null;
  tags: Record<string, string>;
  properties: P;
}

/** `PUT` body that creates or updates a resource. */
export interface ResourceWrite<P> {
  tags?: Record<string, string>;
  properties: P;
}

/** A reference to another resource by ID. */
export interface ResourceRef {
  id: string;
}

export interface SubnetProperties {
  addressPrefix: string;
}

export interface VirtualNetworkProperties {
  addressSpace: { addressPrefixes: string[] };
  subnets?: Array<{ id?: string; name: string; properties: SubnetProperties }>;
}

export interface VirtualNetworkPeeringProperties {
  remoteVirtualNetwork: ResourceRef;
  peeringState?: 'Connected';
}

export interface IpConfiguration {
  name: string;
  properties: { privateIPAddress: string; subnet: ResourceRef };
}

export interface NetworkInterfaceProperties {
  ipConfigurations: IpConfiguration[];
}

export type OsType = 'linux' | 'windows';

export interface VirtualMachineProperties {
  osType: OsType;
  networkProfile: { networkInterfaces: ResourceRef[] };
  /** Private IP of the primary NIC; added to responses for convenience. */
  privateIPAddress?: string | null;
}

export interface BastionHostProperties {
  virtualNetwork: ResourceRef;
  /** Ours (Azure has none): minutes without user input before a session is closed; 0 = never. Default 20. */
  idleTimeoutMinutes?: number;
  /** Ours: the longest a session may last, in minutes; 0 = no limit (the default). */
  maxSessionMinutes?: number;
  /** Azure's (design 0007): connect by private IP to machines outside the inventory. Default false. */
  enableIpConnect?: boolean;
  /** Azure's (design 0007): shareable links to VMs. Default false. */
  enableShareableLink?: boolean;
  /** Azure's (issue 5): no text clipboard in the browser RDP and SSH clients. Default false. */
  disableCopyPaste?: boolean;
  /** Ours (design 0007): CIDRs reachable through the bastion's network that IP-based connection may dial. */
  onPremisesRanges?: string[];
  /** Azure's "Native client support": CLI tunnels (bastion tunnel|ssh|rdp). Default true here (Azure: false). */
  enableTunneling?: boolean;
  /** Azure's: false exempts this bastion's sessions from recording; true (default) follows `recordings`. */
  enableSessionRecording?: boolean;
}

/** An item of create/get/deleteShareableLinks (design 0007); `bsl` (the URL) only in the answer to create. */
export interface ShareableLink {
  id: string;
  vm: ResourceRef;
  bsl: string | null;
  createdAt: string;
  expiresAt: string | null;
  createdBy: string;
}

export interface ResourceGroupProperties {
  provisioningState?: 'Succeeded';
}

export type ResourceGroup = Resource<ResourceGroupProperties>;
export type VirtualNetwork = Resource<VirtualNetworkProperties>;
export type Subnet = Resource<SubnetProperties>;
export type VirtualNetworkPeering = Resource<VirtualNetworkPeeringProperties>;
export type NetworkInterface = Resource<NetworkInterfaceProperties>;
export type VirtualMachine = Resource<VirtualMachineProperties>;
export type BastionHost = Resource<BastionHostProperties>;

// ---------------------------------------------------------------------------------------------------
// Access control (RBAC, Azure-style)

export type PrincipalType = 'user' | 'group';

/** `GET /api/roleDefinitions` lists these; built-ins are Owner, Contributor, Reader, User Access Administrator. */
export interface RoleDefinition {
  id: string;
  name: string;
  description: string;
  builtIn: boolean;
  /** Action patterns granted (`*` wildcards). */
  actions: string[];
  /** Action patterns taken back out of `actions`. */
  notActions: string[];
  /** Data action patterns (built-in roles only, e.g. Key Vault Secrets User's getSecret); absent = none. */
  dataActions?: string[];
  notDataActions?: string[];
  /** Scopes at or below which the role may be assigned ('/' is the whole bastion). */
  assignableScopes: string[];
}

/** `POST /api/roleDefinitions` body (answers 201 RoleDefinition). */
export interface CreateRoleDefinitionRequest {
  name: string;
  description?: string;
  actions: string[];
  notActions?: string[];
  assignableScopes: string[];
}

/** `GET /api/roleAssignments?scope=&includeInherited=&assignee=` lists these. */
export interface RoleAssignment {
  id: string;
  principalType: PrincipalType;
  principalId: string;
  principalName: string;
  roleDefinitionId: string;
  roleDefinitionName: string;
  /** '/', a subscription, a resource group or a resource ID. */
  scope: string;
  createdAt: string;
  createdBy: string | null;
  /** True when the assignment is at an ancestor of the requested scope. */
  inherited: boolean;
}

/** `POST /api/roleAssignments` body (answers 201 RoleAssignment). */
export interface CreateRoleAssignmentRequest {
  /** A username or a group name. */
  assignee: string;
  assigneeType?: PrincipalType;
  /** A role definition name ("Reader") or ID. */
  role: string;
  scope: string;
}

/** `GET /api/principals` lists these (for pickers). */
export interface Principal {
  type: PrincipalType;
  id: string;
  name: string;
  displayName: string;
}

/** One thing a user lacks before they may connect to a VM through Bastion. */
export interface ConnectCheckMissing {
  role: string;
  resourceId: string;
  resourceType: string;
  action: string;
  /** Safe to show as is, e.g. "You need Reader on networkInterfaces/web01-nic". */
  message: string;
}

/** `GET <vm id>/bastionConnectCheck` answer. */
export interface ConnectCheck {
  allowed: boolean;
  bastionHostId: string | null;
  missing: ConnectCheckMissing[];
}

// ---------------------------------------------------------------------------------------------------
// Groups and CLI tokens

/** `GET /api/groups`: a group and its members' usernames. */
export interface Group {
  id: string;
  name: string;
  members: string[];
}

/** `GET /api/auth/tokens`: a CLI token the signed-in user holds (never its secret). */
export interface ApiToken {
  id: string;
  name: string;
  clientIp: string;
  userAgent: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

// ---------------------------------------------------------------------------------------------------
// Key vault (no response ever carries a secret's value or passphrase)

/** `GET|PUT …/providers/Microsoft.KeyVault/vaults/{vault}`; lists answer ListResponse<KeyVault>. */
export interface KeyVault {
  id: string;
  name: string;
  type: 'Microsoft.KeyVault/vaults';
  resourceGroup: string;
  properties: { createdAt: string; createdBy: string | null };
}

export type SecretContentType = 'password' | 'ssh-private-key';

/** `GET|PUT …/vaults/{vault}/secrets/{name}`: metadata only. */
export interface KeyVaultSecret {
  id: string;
  name: string;
  type: 'Microsoft.KeyVault/vaults/secrets';
  properties: {
    contentType: SecretContentType;
    hasPassphrase: boolean;
    /** False when the value was encrypted under another master key: set it again. */
    keyMatches: boolean;
    attributes: { created: string; updated: string };
    createdBy: string | null;
    updatedBy: string | null;
  };
}

/** `PUT …/vaults/{vault}/secrets/{name}` body. */
export interface PutKeyVaultSecretRequest {
  properties: { contentType: SecretContentType; value: string; passphrase?: string };
}

// ---------------------------------------------------------------------------------------------------
// Health

/** `GET /healthz` answer. */
export interface HealthResponse {
  status: 'ok';
}
