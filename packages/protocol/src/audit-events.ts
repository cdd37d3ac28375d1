/**
 * The closed set of audit event types, each with a stable code (Teleport's habit: family number plus
 * severity letter, I = info, W = warning, E = error). Server, web and CLI import this one table.
 */
export const AUDIT_EVENTS = {
  'user.login': { code: 'U1000I', description: 'A user signed in.' },
  'user.login.failed': { code: 'U1000W', description: 'A sign-in attempt failed.' },
  'user.login.rate_limited': { code: 'U1001W', description: 'A sign-in attempt was refused by the rate limit.' },
  'user.logout': { code: 'U1002I', description: 'A user signed out.' },
  'user.password.changed': { code: 'U1003I', description: 'A user changed their password.' },
  'user.created': { code: 'U2000I', description: 'A user was created.' },
  'user.deleted': { code: 'U2001I', description: 'A user was deleted.' },
  'user.password.reset': { code: 'U2002I', description: "An administrator reset a user's password to a one-time password (never recorded)." },
  'user.disabled': { code: 'U2003I', description: 'A user was disabled: they cannot sign in and their sign-ins ended.' },
  'user.enabled': { code: 'U2004I', description: 'A disabled user was enabled again.' },
  'user.token.issued': { code: 'U1004I', description: 'A user signed in with the CLI and received an API token.' },
  'user.token.revoked': { code: 'U1005I', description: 'An API token was revoked (bastion logout, or from the token list).' },
  'group.created': { code: 'U3000I', description: 'A group was created.' },
  'group.deleted': { code: 'U3001I', description: 'A group was deleted.' },
  'group.member.added': { code: 'U3002I', description: 'A user was added to a group.' },
  'group.member.removed': { code: 'U3003I', description: 'A user was removed from a group.' },
  'resource.written': { code: 'R1000I', description: 'An inventory resource was created or updated.' },
  'resource.deleted': { code: 'R1001I', description: 'An inventory resource was deleted.' },
  'bastion.started': { code: 'B1000I', description: 'The bastion process started.' },
  'access.denied': { code: 'A1000W', description: 'An access check refused an action.' },
  'rbac.assignment.created': { code: 'A2000I', description: 'A role assignment was created.' },
  'rbac.assignment.deleted': { code: 'A2001I', description: 'A role assignment was deleted.' },
  'rbac.last_owner.refused': { code: 'A2002W', description: 'A change was refused because it would have left no enabled Owner at scope "/" (assignment, membership, user or group removal).' },
  'rbac.role.created': { code: 'A3000I', description: 'A custom role definition was created.' },
  'rbac.role.deleted': { code: 'A3001I', description: 'A custom role definition was deleted.' },
  'ssh.ticket.issued': { code: 'S1000I', description: 'A browser SSH connect ticket was issued.' },
  'ssh.ticket.rejected': { code: 'S1000W', description: 'A browser SSH connection was refused before it started (bad origin, unknown, expired or replayed ticket).' },
  'ssh.hostkey.pinned': { code: 'S2000I', description: "A VM's SSH host key was recorded on first use." },
  'ssh.hostkey.mismatch': { code: 'S2000W', description: "A VM offered another SSH host key than the pinned one; the connection was refused." },
  'ssh.hostkey.accepted': { code: 'S2001I', description: "An administrator accepted a VM's new SSH host key." },
  'vault.created': { code: 'K1000I', description: 'A key vault was created.' },
  'vault.deleted': { code: 'K1001I', description: 'A key vault was deleted.' },
  'vault.secret.written': { code: 'K2000I', description: 'A key vault secret was created or its value replaced (the value is never recorded).' },
  'vault.secret.deleted': { code: 'K2001I', description: 'A key vault secret was deleted.' },
  'vault.secret.used': { code: 'K2002I', description: "A key vault secret's value was decrypted server-side to connect to a VM (never sent to the browser)." },
  'rdp.token.issued': { code: 'D1000I', description: 'A browser RDP association token was issued.' },
  'rdp.token.rejected': { code: 'D1000W', description: 'A browser RDP connection was refused before it started (unknown, expired, replayed or misdirected token, access refused at connect).' },
  'rdp.certificate.pinned': { code: 'D2000I', description: "A VM's RDP TLS certificate was recorded on first use." },
  'rdp.certificate.mismatch': { code: 'D2000W', description: "A VM offered another RDP certificate than the pinned one; the connection was refused." },
  'rdp.certificate.accepted': { code: 'D2001I', description: "An administrator accepted a VM's new RDP certificate." },
  'recording.viewed': { code: 'P1000I', description: "A session recording was opened for playback in the portal." },
  'recording.downloaded': { code: 'P1001I', description: 'A session recording file was downloaded.' },
  'recording.watched_live': { code: 'P1002I', description: 'A live session was watched (read-only) through its recording.' },
  'recording.deleted': { code: 'P2000I', description: 'A session recording was deleted by the retention policy.' },
  'recording.failed': { code: 'P3000E', description: 'Writing a session recording failed (e.g. disk full); what was written before stays.' },
  'session.terminated': { code: 'O1000I', description: 'An administrator disconnected a live session (Sessions page or disconnectActiveSessions).' },
  'tunnel.rejected': { code: 'T1000W', description: 'A native-client tunnel was refused before it started (access, dial policy, bad request).' },
  'link.created': { code: 'L1000I', description: 'A shareable link to a VM was created.' },
  'link.deleted': { code: 'L1001I', description: 'Shareable links were deleted (revoked).' },
  'link.used': { code: 'L2000I', description: 'A shareable link was used to connect to its VM.' },
  'link.rejected': { code: 'L2000W', description: 'A shareable link was refused (unknown, revoked, expired, or the feature is off).' },
  'link.rate_limited': { code: 'L2001W', description: 'A shareable-link visitor was refused by a rate limit (bad secrets, ticket requests or live tickets); one event per limit and key a minute.' },
} as const;

export type AuditEventType = keyof typeof AUDIT_EVENTS;
export type AuditOutcome = 'success' | 'failure' | 'denied';

/** An audit event as stored and as served by `GET /api/audit`. */
export interface AuditEvent {
  id: string;
  time: string;
  type: AuditEventType;
  code: string;
  /** Username of whoever did it (or tried to), null for the system. */
  actor: string | null;
  clientIp: string | null;
  userAgent: string | null;
  /** What it was done to: a resource ID, a username, a group name. */
  target: string | null;
  outcome: AuditOutcome;
  message: string;
  details: Record<string, unknown>;
}

export const auditCode = (type: AuditEventType): string => AUDIT_EVENTS[type].code;
