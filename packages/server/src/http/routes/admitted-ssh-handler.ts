import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { BastionAuditEnd, BastionAuditRecord, BastionAuditStart } from '../../../../protocol/src/bastion-audit-log.js';
import { WS_CLOSE, type SshWireErrorCode } from '../../../../protocol/src/ssh-messages.js';
import type { ConnectionLog } from '../../audit/connection-log.js';
import { openSshSession, SshError, type HostKeyCheck, type HostKeyTrust, type SshAuth, type SshSession } from '../../gateway/ssh/index.js';
import { failSocket, failWithError, relaySshSession, sendControl, wireErrorCode, type RelayHandle, type RelaySocket } from '../../gateway/ssh/relay.js';
import type { SshTicketRedeem, SshTicketTarget } from '../../gateway/ssh/tickets.js';
import type { LiveSessions } from '../../sessions/live-sessions.js';
import { clientAddressOf } from './ssh-connect-handler.js';

/** Who the session is for and where it goes, once the caller's own checks passed at upgrade. */
export type Admission =
  | { ok: true; bastionId: string; targetResourceId: string; principalName: string; principalId: string; auth: SshAuth; onStart?: (record: BastionAuditRecord) => Promise<void> }
  | { ok: false; code: SshWireErrorCode; message: string };

export interface AdmittedSshDeps {
  hostKeys: HostKeyTrust;
  connections: ConnectionLog;
  live: LiveSessions;
}

const SHUTDOWN_MESSAGE = 'The bastion is shutting down.';

/**
 * A browser-SSH session (design 0003's wire protocol, host-key pinning, connection record, live session)
 * for callers that are not the portal's VM Connect: a shareable link's visitor and IP-based connection
 * (design 0007). The caller redeems its own ticket and re-checks its own access at upgrade (`admit`);
 * everything after that is shared here.
 */
export function handleAdmittedSsh(deps: AdmittedSshDeps, socket: unknown, request: FastifyRequest, redeem: () => SshTicketRedeem, admit: (target: SshTicketTarget) => Promise<Admission>): void {
  const ws = socket as RelaySocket;
  const query = request.query as { cols?: number; rows?: number };
  if (deps.live.closing) return failSocket(ws, 'closed', SHUTDOWN_MESSAGE, WS_CLOSE.GOING_AWAY);
  const redeemed = redeem();
  if (!redeemed.ok) return failSocket(ws, redeemed.code, redeemed.code === 'ticket_expired' ? 'The connect ticket expired. Connect again.' : 'The connect ticket is not valid. Connect again.');
  const target = redeemed.target;
  let clientGone = false;
  ws.on('close', () => (clientGone = true));
  ws.on('error', () => undefined);

  void (async () => {
    const admitted = await admit(target);
    if (!admitted.ok) return failSocket(ws, admitted.code, admitted.message);
    if (clientGone) return;
    const client = clientAddressOf(request);
    const start: BastionAuditStart = {
      sessionId: randomUUID(),
      protocol: 'ssh',
      bastionResourceId: admitted.bastionId,
      userName: target.username,
      principalName: admitted.principalName,
      principalId: admitted.principalId,
      userAgent: request.headers['user-agent'] ?? null,
      clientIpAddress: client.ip,
      clientPort: client.port,
      targetResourceId: admitted.targetResourceId,
      targetVMIPAddress: target.host,
      targetPort: target.port,
      startTime: new Date().toISOString(),
    };
    let record: BastionAuditRecord = await deps.connections.start(start);
    await admitted.onStart?.(record);

    let relay: RelayHandle | undefined;
    let ended: Promise<void> | undefined;
    let unregister = (): void => undefined;
    const now = (): string => new Date().toISOString();
    const finish = (end: BastionAuditEnd): Promise<void> =>
      (ended ??= deps.connections.end(record, end).then(
        () => unregister(),
        (err: unknown) => {
          unregister();
          request.log.error({ err, sessionId: record.sessionId }, 'connection record: end not written');
        },
      ));
    const stop = (reason: 'terminated' | 'idle_timeout' | 'max_duration' | 'server_shutdown', message: string): Promise<void> => {
      if (relay) relay.end(reason, message);
      else {
        failSocket(ws, 'closed', message, reason === 'server_shutdown' ? WS_CLOSE.GOING_AWAY : WS_CLOSE.NORMAL);
        void finish({ kind: 'ended', reason, endTime: now(), bytesIn: 0, bytesOut: 0 });
      }
      return ended ?? Promise.resolve();
    };
    unregister = deps.live.add({ sessionId: record.sessionId, protocol: 'ssh', info: start, stats: () => relay?.stats(), terminate: stop, shutdown: () => stop('server_shutdown', SHUTDOWN_MESSAGE) });

    let hostKeyCheck: HostKeyCheck | undefined;
    let session: SshSession;
    try {
      session = await openSshSession({
        host: target.host,
        port: target.port,
        username: target.username,
        auth: admitted.auth,
        // Pinned per target (the VM, or <bastion>/connectByIp/<ip>) and port, as for portal sessions.
        verifyHostKey: deps.hostKeys.verifier(target.vmId, target.host, target.port, (r) => (hostKeyCheck = r)),
        ...(query.cols !== undefined && query.rows !== undefined ? { cols: query.cols, rows: query.rows } : {}),
      });
    } catch (err) {
      if (!(err instanceof SshError)) request.log.error({ err }, 'SSH connect failed');
      const code: SshWireErrorCode = err instanceof SshError ? wireErrorCode(err.code) : 'internal';
      await finish({ kind: 'failed', errorCode: code, message: err instanceof SshError ? err.message : 'Internal error.', endTime: now() });
      return failWithError(ws, err);
    }
    if (ended) return session.close();
    if (clientGone) {
      session.close();
      return void finish({ kind: 'ended', reason: 'client_closed', endTime: now(), bytesIn: 0, bytesOut: 0 });
    }
    record = await deps.connections.connected(record);
    if (ended) return session.close();
    sendControl(ws, { type: 'ready', sessionId: record.sessionId, hostKey: { fingerprint: session.hostKey.fingerprint, keyType: session.hostKey.keyType, status: hostKeyCheck?.status === 'match' ? 'match' : 'new' } });
    relay = relaySshSession(ws, session, { onEnd: (reason, totals) => void finish({ kind: 'ended', reason, endTime: now(), ...totals }) });
    if (clientGone) relay.end('client_closed', 'The session was closed.');
  })().catch((err: unknown) => {
    request.log.error({ err }, 'SSH connect failed');
    failWithError(ws, err);
  });
}
