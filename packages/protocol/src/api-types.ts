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
  groups: string[];
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
// Health

/** `GET /healthz` answer. */
export interface HealthResponse {
  status: 'ok';
}
