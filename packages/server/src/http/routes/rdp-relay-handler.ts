import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { BastionAuditEnd, BastionAuditRecord } from '../../../../protocol/src/bastion-audit-log.js';
import type { AuditInput, AuditLog } from '../../audit/audit-log.js';
import { refusalAudit } from '../../audit/refusal-limiter.js';
import type { ConnectionLog } from '../../audit/connection-log.js';
import { dialRdpServer, type RdpServerConnection } from '../../gateway/rdp/dial.js';
import { RdpRelayError, rdpErrors } from '../../gateway/rdp/errors.js';
import { responsePdu, type RdCleanPathRequest } from '../../gateway/rdp/rdcleanpath.js';
import { RdpClientStream } from '../../gateway/rdp/relay.js';
import type { GatewayWebSocket } from '../../gateway/ws-socket.js';
import { checkDialTarget } from '../../gateway/target-policy.js';
import type { RdpTokenStore, RdpTokenTarget } from '../../gateway/rdp/tokens.js';
import type { RdpSessionStatus, RdpSessionStatusHandle } from '../../gateway/rdp/session-status.js';
import { describeCertificate, type RdpCertificateTrust } from '../../gateway/rdp/certificate-trust.js';
import { checkConnectionRequest, mstshashOf } from '../../gateway/rdp/x224.js';
import * as ids from '../../inventory/ids.js';
import type { InventoryService } from '../../inventory/service.js';
import type { LiveSessions } from '../../sessions/live-sessions.js';
import { limitsFromProperties, watchLimits } from '../../sessions/session-limits.js';
import { checkConnect, connectDenial } from '../connect-access.js';
import type { Recordings } from '../../recordings/index.js';
import { recordingsFor, startRdpRecording } from './recording-hooks.js';
import { requestWho } from '../request-who.js';

export interface RdpRelayDeps {
  audit: AuditLog;
  inventory: InventoryService;
  tokens: RdpTokenStore;
  /** Recording status per session, for the page's POST /api/rdp/status (design 0006). */
  statuses: RdpSessionStatus;
  certificates: RdpCertificateTrust;
  connections: ConnectionLog;
  live: LiveSessions;
  /** Session recordings (design 0006); absent: not captured. */
  recordings?: Recordings | undefined;
  /** Test hook: timeouts of the VM side (defaults in gateway/rdp/dial.ts). */
  dialTimeouts?: { connectTimeoutMs?: number; handshakeTimeoutMs?: number };
}

const TOKEN_MESSAGES: Record<string, string> = {
  invalid: 'The connection token is not valid (unknown or already used). Start the connection again from the portal.',
  expired: 'The connection token expired. Start the connection again from the portal.',
  other_user: 'The connection token was issued to another user.',
  other_destination: 'The connection token was issued for another destination.',
};

/** Audit events never break a connection: a failed write is logged. */
function audit(deps: RdpRelayDeps, request: FastifyRequest, input: AuditInput): Promise<void> {
  const who = { ...requestWho(request) };
  return deps.audit.write({ ...who, ...input }).then(
    () => undefined,
    (err: unknown) => request.log.error({ err, type: input.type }, 'audit write failed'),
  );
}

/** Token, access at connect time, dial policy: what must hold before a connection record exists. */
async function authorize(deps: RdpRelayDeps, request: FastifyRequest, req: RdCleanPathRequest): Promise<{ target: RdpTokenTarget; bastionHostId: string | null }> {
  const bad = checkConnectionRequest(req.x224ConnectionPdu);
  if (bad) throw rdpErrors.badRequest(bad);
  const redeemed = deps.tokens.redeem(req.proxyAuth, request.user!.id, req.destination);
  if (!redeemed.ok) {
    // Anyone who reaches the relay can send tokens: refusals are rate-limited per client (refusal-limiter.ts).
    await refusalAudit(deps.audit).write({
      ...requestWho(request),
      type: 'rdp.token.rejected',
      outcome: 'denied',
      target: redeemed.target?.vmId ?? null,
      message: `RDP association token refused: ${redeemed.reason} (destination ${req.destination}).`,
      details: { reason: redeemed.reason, destination: req.destination },
    });
    const message = TOKEN_MESSAGES[redeemed.reason]!;
    throw redeemed.reason === 'other_destination' ? rdpErrors.forbidden(message) : rdpErrors.token(message);
  }
  const target = redeemed.target;
  // Access again at connect time: a role removed since the token was issued must stop the session.
  const check = await checkConnect(deps, request, target.vmId);
  if (!check.allowed) throw rdpErrors.forbidden(`You cannot connect to ${ids.nameOf(target.vmId)}: ${connectDenial(check)}.`);
  const dial = await checkDialTarget(deps.inventory, { vmId: target.vmId, bastionHostId: check.bastionHostId, issuedFor: target.host });
  if (!dial.ok) {
    await audit(deps, request, { type: 'rdp.token.rejected', outcome: 'denied', target: target.vmId, message: dial.message, details: { reason: 'dial_policy', destination: req.destination } });
    throw dial.status === 404 ? rdpErrors.notFound(dial.message) : rdpErrors.forbidden(dial.message);
  }
  return { target, bastionHostId: check.bastionHostId };
}

/** Pins on first use; refuses a changed certificate before any client byte reaches the VM. */
async function verifyCertificate(deps: RdpRelayDeps, request: FastifyRequest, target: RdpTokenTarget, conn: RdpServerConnection): Promise<void> {
  const offered = describeCertificate(conn.certChain[0]!);
  const at = `${target.host}:${target.port}`;
  // A first-use pin is a trust decision: it and its event commit together (design 0009), or the connection fails.
  const result = await deps.audit.change(async (tx) => {
    const result = await deps.certificates.in(tx).check(target.vmId, target.host, target.port, offered);
    if (result.status === 'new')
      await deps.audit.writeIn(tx, { ...requestWho(request), type: 'rdp.certificate.pinned', outcome: 'success', target: target.vmId, message: `RDP certificate ${offered.fingerprint} of ${at} recorded on first use.`, details: { ...offered, host: target.host, port: target.port } });
    return result;
  });
  if (result.status === 'changed') {
    const expected = result.entry.pinned.fingerprint;
    await audit(deps, request, {
      type: 'rdp.certificate.mismatch',
      outcome: 'failure',
      target: target.vmId,
      message: `RDP certificate of ${at} changed: pinned ${expected}, offered ${offered.fingerprint}. Connection refused.`,
      details: { expectedFingerprint: expected, offered, host: target.host, port: target.port },
    });
    throw rdpErrors.certificateChanged(ids.nameOf(target.vmId), expected, offered.fingerprint);
  }
}

/**
 * WebSocket handler of GET /api/rdp/relay (design 0004): read the RDCleanPath request, authorize it,
 * commit the connection record, dial the VM (X.224, TLS), check the pinned certificate, answer, relay.
 * Every failure becomes an RDCleanPath error PDU and a close; nothing thrown here reaches Fastify.
 */
export function handleRdpRelay(deps: RdpRelayDeps, socket: unknown, request: FastifyRequest): void {
  const ws = socket as GatewayWebSocket;
  const stream = new RdpClientStream(ws);
  let record: BastionAuditRecord | undefined;
  let conn: RdpServerConnection | undefined;
  let unregister = (): void => undefined;
  let status: RdpSessionStatusHandle | undefined;
  // Set when an administrator or a limit ends the session before it relays: the record says so, not "client_closed".
  let endedBy: 'terminated' | 'idle_timeout' | 'max_duration' | undefined;
  const now = (): string => new Date().toISOString();

  void (async () => {
    if (!request.user) throw rdpErrors.token('Sign in first.');
    if (deps.live.closing) throw rdpErrors.internal(new Error('shutting down'));
    const req = await stream.readRequest();
    const { target, bastionHostId } = await authorize(deps, request, req);
    const redeemedAt = performance.now(); // connect latency: token redeemed → relaying (metrics)
    if (stream.clientGone) return;
    // The record is committed before the bastion reaches out to the VM: a crash from here on leaves a row.
    record = await deps.connections.start({
      sessionId: randomUUID(),
      protocol: 'rdp',
      bastionResourceId: bastionHostId,
      userName: mstshashOf(req.x224ConnectionPdu) ?? '',
      principalName: request.user.username,
      principalId: request.user.id,
      userAgent: request.headers['user-agent'] ?? null,
      clientIpAddress: request.ip,
      clientPort: request.ip === request.socket.remoteAddress ? (request.socket.remotePort ?? null) : null,
      targetResourceId: (await deps.inventory.get(target.vmId))?.id ?? target.vmId,
      targetVMIPAddress: target.host,
      targetPort: target.port,
      startTime: now(),
    });
    const started = record;
    let ended: Promise<void> | undefined;
    unregister = deps.live.add({
      sessionId: started.sessionId,
      protocol: 'rdp',
      info: started,
      stats: () => ({ ...stream.stats, maxUnackedBytes: 0 }),
      terminate: (reason, message) => {
        endedBy ??= reason;
        stream.shutdown(reason, message);
        return ended ?? Promise.resolve();
      },
      shutdown: () => {
        stream.shutdown();
        return ended ?? Promise.resolve();
      },
    });
    conn = await dialRdpServer({ host: target.host, port: target.port, x224Request: req.x224ConnectionPdu, preconnectionBlob: req.preconnectionBlob, ...deps.dialTimeouts });
    await verifyCertificate(deps, request, target, conn);
    if (stream.clientGone || endedBy) throw new RdpRelayError('bad_request', 'The browser left during the handshake.', { errorCode: 1 });
    record = await deps.connections.connected(started);
    const connected = record;
    // Opened before the answer, so the page's first status request after connecting finds it.
    // The bastion's enableSessionRecording may exempt its sessions from the global recordings.
    const recordings = await recordingsFor(deps.recordings, deps.inventory, connected);
    const recorded = recordings?.settings.rdp.enabled ?? false;
    status = deps.statuses.open(req.proxyAuth, request.user.id, recorded);
    const told = status;
    // The capture file exists before the first byte flows (design 0006); it taps the stream both ways.
    const capture = await startRdpRecording(recordings, connected, stream, (message, ended) => told.notRecorded(message, ended));
    stream.relay(responsePdu(conn.x224Confirm, conn.certChain, conn.serverAddr), conn.tls, (reason) => {
      void capture?.close();
      told.close();
      ended = deps.connections
        .end(connected, { kind: 'ended', reason, endTime: now(), bytesIn: stream.stats.bytesIn, bytesOut: stream.stats.bytesOut })
        .then(
          () => unregister(),
          (err: unknown) => (unregister(), request.log.error({ err, sessionId: connected.sessionId }, 'connection record: end not written')),
        );
    });
    deps.live.observeConnect('rdp', (performance.now() - redeemedAt) / 1000);
    // RDP idle can only be approximated: bytes from the browser (input, but also its periodic PDUs); no warning channel.
    const bastion = bastionHostId ? await deps.inventory.get(bastionHostId) : undefined;
    watchLimits({
      limits: limitsFromProperties(bastion?.properties),
      inputBytes: () => stream.stats.bytesIn,
      notify: () => undefined,
      expire: (reason, message) => stream.shutdown(reason, message),
      ended: () => ended !== undefined,
    });
  })().catch(async (err: unknown) => {
    conn?.tls.destroy();
    status?.close();
    const failure = err instanceof RdpRelayError ? err : rdpErrors.internal(err);
    if (failure.kind === 'internal') request.log.error({ err }, 'browser RDP relay failed');
    else request.log.info({ reason: failure.message }, 'browser RDP connection refused');
    stream.refuse(failure);
    // A browser that left mid-handshake ended the connection; anything else is a failure shown to the user.
    const end: BastionAuditEnd = endedBy
      ? { kind: 'ended', reason: endedBy, endTime: now(), bytesIn: 0, bytesOut: 0 }
      : stream.clientGone
      ? { kind: 'ended', reason: 'client_closed', endTime: now(), bytesIn: 0, bytesOut: 0 }
      : { kind: 'failed', errorCode: failure.auditCode, message: failure.message, endTime: now(), bytesIn: 0, bytesOut: 0 };
    if (record) await deps.connections.end(record, end).catch((e: unknown) => request.log.error({ err: e }, 'connection record: end not written'));
    unregister();
  });
}
