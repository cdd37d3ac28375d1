/**
 * Live sessions in the shape of Azure Bastion's `getActiveSessions` / `disconnectActiveSessions`
 * (learn.microsoft.com/rest/api/virtualnetwork/get-active-sessions), plus a few fields of ours
 * (`bytesIn`, `bytesOut`, `principalName`, `clientIpAddress`). Design: docs/design/0005-session-operations.md.
 */

/** One item of `POST …/bastionHosts/{name}/getActiveSessions` → `{ value: ActiveSession[] }`. */
export interface ActiveSession {
  sessionId: string;
  /** ISO 8601 (UTC): when the connection started (its record's start row). */
  startTime: string;
  targetSubscriptionId: string;
  resourceType: 'VM';
  /** The VM's name. */
  targetHostName: string;
  targetResourceGroup: string;
  /** The account on the VM (Azure's `userName`); for RDP, the routing cookie's name when the client sent one. */
  userName: string;
  targetIpAddress: string;
  protocol: 'SSH' | 'RDP';
  targetResourceId: string;
  sessionDurationInMins: number;
  /** Ours: bytes browser → VM and VM → browser so far. */
  bytesIn: number;
  bytesOut: number;
  /** Ours: the bastion user who connected, and from where. */
  principalName: string;
  clientIpAddress: string;
}

/** `POST …/bastionHosts/{name}/disconnectActiveSessions` body: the session IDs to end. */
export interface DisconnectActiveSessionsRequest {
  value: string[];
}

export type DisconnectState = 'Disconnected' | 'Failed' | 'NotFound';

/** One item of the answer `{ value: DisconnectResult[] }`, in the order of the request. */
export interface DisconnectResult {
  sessionId: string;
  message: string;
  state: DisconnectState;
}

/** What the user sees when an administrator ends their session (SSH `closed.message`). */
export const TERMINATED_MESSAGE = 'You have been disconnected by an administrator.';
