/**
 * The per-connection audit record, in the shape of Azure Bastion's `BastionAuditLogs` (Log Analytics
 * table `MicrosoftAzureBastionAuditLogs`): one row per SSH, RDP or tunnel connection, written when the
 * connection starts (before any data flows) and completed when it ends (docs/design/0003-browser-ssh.md).
 *
 * Field names follow Azure's `properties` block where one exists (`userName`, `userAgent`,
 * `clientIpAddress`, `clientPort`, `protocol`, `targetResourceId`, `targetVMIPAddress`, `message`,
 * `tunnelId`); the rest (times, bytes, end reason, session) are ours. Plain data and pure functions only.
 */
import type { CloseReason, SshWireErrorCode } from './ssh-messages.js';

/** Azure's `message` for a connection that was established. */
export const CONNECTED_MESSAGE = 'Successfully Connected.';
/** `message` between the start row and the outcome (left as is if the bastion dies mid-handshake). */
export const CONNECTING_MESSAGE = 'Connecting.';
/** Azure's `operationName` for these records. */
export const BASTION_CONNECT_OPERATION = 'Microsoft.Network/BastionHost/connect';
/** Azure's diagnostic category. */
export const BASTION_AUDIT_CATEGORY = 'BastionAuditLogs';

export type BastionProtocol = 'ssh' | 'rdp' | 'tunnel';

/**
 * Why a connection ended:
 * - a CloseReason (`exited`, `client_closed`, `remote_closed`, `keepalive_timeout`, `terminated`,
 *   `server_shutdown`, `protocol_error`) for a connection that was established;
 * - `failed` when it never got established (`errorCode` says why);
 * - `interrupted` for a record still open when the bastion restarted (it crashed or was killed): set at
 *   startup, with `endTime` = the startup time, as the best bound available.
 */
export type ConnectionEndReason = CloseReason | 'failed' | 'interrupted';

/** One row per connection. `null` end fields mean the connection is still open (or was, at a crash). */
export interface BastionAuditRecord {
  /** Our session ID (also in the `ready` message and the recording's name). Primary key. */
  sessionId: string;
  protocol: BastionProtocol;
  /** The bastion host resource ID the connection went through (Azure's top-level `resourceId`). */
  bastionResourceId: string | null;

  /** The account name on the target VM, as typed in the Connect form (Azure's `userName`). */
  userName: string;
  /** The Bastion user who connected (Azure's `userEmail` plays this role); their user ID below. */
  principalName: string;
  principalId: string;
  userAgent: string | null;
  clientIpAddress: string;
  clientPort: number | null;

  /** The VM's resource ID. */
  targetResourceId: string;
  /** The NIC private IP the bastion connected to. */
  targetVMIPAddress: string;
  /** The port on the VM (22 unless a custom port was given). */
  targetPort: number;
  /** For native-client tunnels (`bastion tunnel`), the tunnel's ID. */
  tunnelId?: string;

  /** CONNECTED_MESSAGE, or the failure as shown to the user ("Authentication failed."). */
  message: string;
  /** The failure's code when the connection failed or ended in an error, otherwise null. */
  errorCode: SshWireErrorCode | null;

  /** ISO 8601 (UTC). */
  startTime: string;
  endTime: string | null;
  durationMs: number | null;
  /** Bytes from the browser/client to the VM (terminal input, or tunnel upload). */
  bytesIn: number;
  /** Bytes from the VM to the browser/client. */
  bytesOut: number;
  endReason: ConnectionEndReason | null;
}

/** What is known when a connection starts. */
export type BastionAuditStart = Omit<
  BastionAuditRecord,
  'message' | 'errorCode' | 'endTime' | 'durationMs' | 'bytesIn' | 'bytesOut' | 'endReason'
>;

/** The record to write at start: committed before any data flows, so a crash still leaves a trace. */
export function startAuditRecord(start: BastionAuditStart): BastionAuditRecord {
  return { ...start, message: CONNECTING_MESSAGE, errorCode: null, endTime: null, durationMs: null, bytesIn: 0, bytesOut: 0, endReason: null };
}

/** The record once the SSH/RDP session is established (`message` becomes CONNECTED_MESSAGE). */
export function connectedAuditRecord(record: BastionAuditRecord): BastionAuditRecord {
  return { ...record, message: CONNECTED_MESSAGE };
}

/** How a connection ended: a failure before it was established, or an end after it was. */
export type BastionAuditEnd =
  | { kind: 'failed'; errorCode: SshWireErrorCode; message: string; endTime: string; bytesIn?: number; bytesOut?: number }
  | { kind: 'ended'; reason: CloseReason | 'interrupted'; endTime: string; bytesIn: number; bytesOut: number; errorCode?: SshWireErrorCode };

/**
 * The completed record. A connection that was established keeps CONNECTED_MESSAGE (Azure logs the
 * connect, not the disconnect); a failure replaces `message` with what the user was shown.
 */
export function endAuditRecord(record: BastionAuditRecord, end: BastionAuditEnd): BastionAuditRecord {
  const durationMs = Math.max(0, Date.parse(end.endTime) - Date.parse(record.startTime)) || 0;
  if (end.kind === 'failed') {
    return {
      ...record,
      message: end.message,
      errorCode: end.errorCode,
      endTime: end.endTime,
      durationMs,
      bytesIn: end.bytesIn ?? record.bytesIn,
      bytesOut: end.bytesOut ?? record.bytesOut,
      endReason: 'failed',
    };
  }
  return {
    ...record,
    errorCode: end.errorCode ?? null,
    endTime: end.endTime,
    durationMs,
    bytesIn: end.bytesIn,
    bytesOut: end.bytesOut,
    endReason: end.reason,
  };
}

/** Azure's export envelope (diagnostic-settings JSON), for SIEM exports that expect the Azure shape. */
export interface AzureBastionAuditLog {
  time: string;
  resourceId: string | null;
  operationName: typeof BASTION_CONNECT_OPERATION;
  category: typeof BASTION_AUDIT_CATEGORY;
  level: 'Informational' | 'Warning';
  properties: {
    userName: string;
    userEmail: string;
    userAgent: string | null;
    clientIpAddress: string;
    clientPort: number | null;
    protocol: BastionProtocol;
    targetResourceId: string;
    subscriptionId: string | null;
    message: string;
    resourceType: 'VM';
    targetVMIPAddress: string;
    tunnelId?: string;
  } & /** Ours, not Azure's: the session's end and volume. */ Pick<BastionAuditRecord, 'sessionId' | 'startTime' | 'endTime' | 'durationMs' | 'bytesIn' | 'bytesOut' | 'endReason'>;
}

/** The record in Azure's envelope; `subscriptionId` is taken from the target's resource ID. */
export function toAzureBastionAuditLog(r: BastionAuditRecord): AzureBastionAuditLog {
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(r.targetResourceId)?.[1] ?? null;
  const properties: AzureBastionAuditLog['properties'] = {
    userName: r.userName,
    userEmail: r.principalName,
    userAgent: r.userAgent,
    clientIpAddress: r.clientIpAddress,
    clientPort: r.clientPort,
    protocol: r.protocol,
    targetResourceId: r.targetResourceId,
    subscriptionId,
    message: r.message,
    resourceType: 'VM',
    targetVMIPAddress: r.targetVMIPAddress,
    sessionId: r.sessionId,
    startTime: r.startTime,
    endTime: r.endTime,
    durationMs: r.durationMs,
    bytesIn: r.bytesIn,
    bytesOut: r.bytesOut,
    endReason: r.endReason,
  };
  if (r.tunnelId !== undefined) properties.tunnelId = r.tunnelId;
  return {
    time: r.startTime,
    resourceId: r.bastionResourceId,
    operationName: BASTION_CONNECT_OPERATION,
    category: BASTION_AUDIT_CATEGORY,
    level: r.endReason === 'failed' ? 'Warning' : 'Informational',
    properties,
  };
}
