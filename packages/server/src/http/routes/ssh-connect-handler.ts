import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { BastionAuditRecord } from '../../../../protocol/src/bastion-audit-log.js';
import { WS_CLOSE, type SshWireErrorCode } from '../../../../protocol/src/ssh-messages.js';
import type { AuditInput, AuditLog } from '../../audit/audit-log.js';
import type { ConnectionLog } from '../../audit/connection-log.js';
import { HostKeyTrust, openSshSession, SshError, type HostKeyCheck, type SshAuth, type SshSession } from '../../gateway/ssh/index.js';
import type { PinAudit } from '../../gateway/ssh/host-key-trust.js';
import { failSocket, failWithError, relaySshSession, sendControl, wireErrorCode, type RelayHandle, type RelaySocket } from '../../gateway/ssh/relay.js';
import type { SshTicketRedeem, SshTicketTarget } from '../../gateway/ssh/tickets.js';
import type { InventoryService } from '../../inventory/service.js';
import type { LiveSessions } from '../../sessions/live-sessions.js';
import { limitsFromProperties, watchLimits } from '../../sessions/session-limits.js';
import type { VaultStore } from '../../vault/index.js';
import { recordingsFor, startSshRecording } from './recording-hooks.js';
import type { Recordings } from '../../recordings/index.js';
import { ConnectionEnd } from './connection-end.js';
import { requestWho } from '../request-who.js';

export interface SshConnectDeps {
  audit: AuditLog;
  inventory: InventoryService;
  hostKeys: HostKeyTrust;
  connections: ConnectionLog;
  live: LiveSessions;
  vault?: VaultStore | undefined;
  /** Session recordings (design 0006); absent: not recorded. */
  recordings?: Recordings | undefined;
}

/** The session a ticket opens, once the admission's own checks passed at upgrade. */
export interface SshAdmitted {
  ok: true;
  /** Credentials for ssh2 (a vault reference already decrypted). */
  auth: SshAuth;
  /** The bastion the session goes through: the record's bastionResourceId, and whose idle/maximum-length limits apply. */
  bastionId: string | null;
  /** The record's principal (the portal user, or a link visitor's `link:<id> (shared by …)`). */
  principalName: string;
  principalId: string;
  /** The record's target: a VM's resource ID, or `<bastion id>/connectByIp/<ip>`. */
  targetResourceId: string;
  /** Where the target's host key is pinned (per port): the VM ID, or `<bastion id>/connectByIp/<ip>`. */
  hostKeyId: string;
  /** After the record's start row is committed, before the bastion reaches out to the target. */
  onStart?: (record: BastionAuditRecord) => Promise<void>;
}
export type SshAdmissionResult = SshAdmitted | { ok: false; code: SshWireErrorCode; message: string };

/**
 * What differs between kinds of browser-SSH session (design 0003 for portal users, 0007 for link visitors
 * and IP-based connection): whose ticket store redeems the ticket, how access is checked again at upgrade,
 * and what the record names. Everything after admission is the same for all of them.
 */
export interface SshAdmission {
  /** The actor of this session's audit events (default: the signed-in user). */
  actor?: string | null;
  /** Redeems the request's ticket (single use), bound to this caller. */
  redeem(ticket: string): SshTicketRedeem;
  /** A refused ticket: the message for the browser (and any audit event of this kind of session). */
  ticketRefused(code: 'ticket_invalid' | 'ticket_expired'): string;
  /** Access again at upgrade. `gone()` says the browser left meanwhile: answer undefined to stop quietly. */
  admit(target: SshTicketTarget, gone: () => boolean): Promise<SshAdmissionResult | undefined>;
}

const SHUTDOWN_MESSAGE = 'The bastion is shutting down.';

/**
 * The client's address as Fastify reports it (`trustProxy` honoured: the forwarded address behind a trusted
 * proxy). The port is the TCP peer's, so it is given only when that peer is the client itself.
 */
export function clientAddressOf(request: FastifyRequest): { ip: string; port: number | null } {
  const peer = request.socket.remoteAddress;
  const port = request.socket.remotePort;
  return { ip: request.ip, port: request.ip === peer && port !== undefined ? port : null };
}

/** Audit events never break a connection: a failed write is logged. `actor` defaults to the signed-in user. */
export function auditSshEvent(deps: Pick<SshConnectDeps, 'audit'>, request: FastifyRequest, input: AuditInput, actor?: string | null): Promise<void> {
  return deps.audit.write({ ...requestWho(request, actor), ...input }).then(
    () => undefined,
    (err: unknown) => request.log.error({ err, type: input.type }, 'audit write failed'),
  );
}

/** ssh.hostkey.pinned, written by the trust store in the pin's own transaction (design 0009). */
function pinAudit(deps: SshConnectDeps, request: FastifyRequest, actor: string | null | undefined, target: SshTicketTarget): PinAudit {
  return {
    audit: deps.audit,
    event: (pinned) => ({
      ...requestWho(request, actor),
      type: 'ssh.hostkey.pinned',
      outcome: 'success',
      target: target.vmId,
      message: `Host key ${pinned.fingerprint} (${pinned.keyType}) of ${target.host}:${target.port} recorded on first use.`,
      details: { fingerprint: pinned.fingerprint, keyType: pinned.keyType, host: target.host, port: target.port },
    }),
  };
}

/** ssh.hostkey.mismatch for what the verifier saw during the handshake (a refusal: nothing changed). */
function auditHostKey(deps: SshConnectDeps, request: FastifyRequest, actor: string | null | undefined, target: SshTicketTarget, check: HostKeyCheck | undefined): Promise<void> {
  if (check?.status === 'changed') {
    const offered = check.pinned.offered;
    return auditSshEvent(deps, request, {
      type: 'ssh.hostkey.mismatch',
      outcome: 'failure',
      target: target.vmId,
      message: `Host key of ${target.host}:${target.port} changed: expected ${check.expected}, offered ${offered?.fingerprint ?? 'unknown'}. Connection refused.`,
      details: { expectedFingerprint: check.expected, expectedKeyType: check.expectedKeyType, offeredFingerprint: offered?.fingerprint ?? null, offeredKeyType: offered?.keyType ?? null, host: target.host, port: target.port },
    }, actor);
  }
  return Promise.resolve();
}

/**
 * The browser-SSH WebSocket (design 0003, Flow 3–4) for every kind of session: redeem the ticket and re-run
 * the access checks (`admission`: portal user, link visitor, IP-based connection), commit the connection
 * record's start row, only then connect to the target, and relay — with the live session, the recording and
 * the bastion's idle/maximum-length limits. Every outcome after the start row completes that row once:
 * failed, ended (with bytes each way) or server_shutdown.
 */
export function handleSshConnect(deps: SshConnectDeps, socket: unknown, request: FastifyRequest, admission: SshAdmission): void {
  const ws = socket as RelaySocket;
  if (deps.live.closing) return failSocket(ws, 'closed', SHUTDOWN_MESSAGE, WS_CLOSE.GOING_AWAY);
  const redeemed = admission.redeem((request.query as { ticket?: string }).ticket ?? '');
  if (!redeemed.ok) return failSocket(ws, redeemed.code, admission.ticketRefused(redeemed.code));
  const target = redeemed.target;
  const redeemedAt = performance.now(); // connect latency: ticket redeemed → ready (metrics)
  let clientGone = false;
  // A browser that leaves while the session is being set up must not leave a login behind on the VM (issue
  // 13): the flag is checked after every wait, and the signal drops a connect to the VM in progress.
  const left = new AbortController();
  ws.on('close', () => {
    clientGone = true;
    left.abort();
  });
  ws.on('error', () => undefined);

  void (async () => {
    // Access again at upgrade: a role removed (or a link revoked) since the ticket was issued stops the session.
    const admitted = await admission.admit(target, () => clientGone);
    if (!admitted) return;
    if (!admitted.ok) return failSocket(ws, admitted.code, admitted.message);
    if (clientGone) return;

    // The record is committed before the bastion reaches out to the VM: a crash from here on leaves a row.
    const client = clientAddressOf(request);
    let record: BastionAuditRecord = await deps.connections.start({
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
    });
    await admitted.onStart?.(record);

    let relay: RelayHandle | undefined;
    const recordEnd = new ConnectionEnd(deps.connections, request.log, () => record);
    const now = (): string => new Date().toISOString();
    recordEnd.unregister = deps.live.add({
      sessionId: record.sessionId,
      protocol: 'ssh',
      info: record,
      stats: () => relay?.stats(),
      // An administrator's disconnect or a limit: `closed { reason, message }` to the browser, reason in the record.
      terminate: (reason, message) => {
        if (relay) relay.end(reason, message);
        else {
          failSocket(ws, 'closed', message, WS_CLOSE.NORMAL);
          void recordEnd.finish({ kind: 'ended', reason, endTime: now(), bytesIn: 0, bytesOut: 0 });
        }
        return recordEnd.settled();
      },
      shutdown: () => {
        if (relay) relay.end('server_shutdown', SHUTDOWN_MESSAGE);
        else {
          failSocket(ws, 'closed', SHUTDOWN_MESSAGE, WS_CLOSE.GOING_AWAY);
          void recordEnd.finish({ kind: 'ended', reason: 'server_shutdown', endTime: now(), bytesIn: 0, bytesOut: 0 });
        }
        return recordEnd.settled();
      },
    });

    let hostKeyCheck: HostKeyCheck | undefined;
    let session: SshSession;
    const clientLeft = (): Promise<void> => recordEnd.finish({ kind: 'ended', reason: 'client_closed', endTime: now(), bytesIn: 0, bytesOut: 0 });
    if (clientGone) return void clientLeft(); // left while the row was written: never dial
    try {
      session = await openSshSession({
        signal: left.signal,
        host: target.host,
        port: target.port,
        username: target.username,
        auth: admitted.auth,
        ...initialSize(request.query as { cols?: number; rows?: number }),
        verifyHostKey: deps.hostKeys.verifier(admitted.hostKeyId, target.host, target.port, (r) => (hostKeyCheck = r), pinAudit(deps, request, admission.actor, target)),
      });
    } catch (err) {
      await auditHostKey(deps, request, admission.actor, target, hostKeyCheck);
      if (clientGone && !recordEnd.started) return void clientLeft(); // the connect was dropped because the browser left
      if (!(err instanceof SshError)) request.log.error({ err }, 'browser SSH connect failed');
      const code: SshWireErrorCode = err instanceof SshError ? wireErrorCode(err.code) : 'internal';
      // The row first, then the answer: whoever reads the log after seeing the error finds the outcome.
      await recordEnd.finish({ kind: 'failed', errorCode: code, message: err instanceof SshError ? err.message : 'Internal error.', endTime: now() });
      return failWithError(ws, err);
    }
    await auditHostKey(deps, request, admission.actor, target, hostKeyCheck);
    if (recordEnd.started) return session.close(); // shut down while connecting
    if (clientGone) {
      session.close();
      return void recordEnd.finish({ kind: 'ended', reason: 'client_closed', endTime: now(), bytesIn: 0, bytesOut: 0 });
    }
    record = await deps.connections.connected(record);
    if (recordEnd.started) return session.close();
    // The recording file exists before the first byte flows; a failure follows recordings.onFailure.
    const recording = await startSshRecording(await recordingsFor(deps.recordings, deps.inventory, record), record, request, ws, () => relay);
    if (!recording.ok) {
      session.close();
      await recordEnd.finish({ kind: 'failed', errorCode: 'internal', message: recording.message, endTime: now() });
      return failSocket(ws, 'internal', recording.message);
    }
    const rec = recording.recording;
    if (recordEnd.started) return void rec?.close().finally(() => session.close());
    sendControl(ws, { type: 'ready', sessionId: record.sessionId, hostKey: { fingerprint: session.hostKey.fingerprint, keyType: session.hostKey.keyType, status: hostKeyCheck?.status === 'match' ? 'match' : 'new' } });
    // The policy records sessions but this one's recording could not start (full disk, read-only folder): say so.
    if (recording.notRecorded) sendControl(ws, { type: 'recording', recorded: false, message: recording.notRecorded });
    relay = relaySshSession(ws, session, {
      onEnd: (reason, totals) => {
        void rec?.close();
        void recordEnd.finish({ kind: 'ended', reason, endTime: now(), ...totals });
      },
      ...(rec ? { onOutput: rec.output, onInput: rec.input, onResize: rec.resize } : {}),
    });
    // The browser may have left while the row was being written: its 'close' came before the relay listened.
    if (clientGone) relay.end('client_closed', 'The session was closed.');
    deps.live.observeConnect('ssh', (performance.now() - redeemedAt) / 1000);
    // Idle timeout and maximum length of the bastion the session goes through (design 0005, "Limits").
    const running = relay;
    const bastion = admitted.bastionId ? await deps.inventory.get(admitted.bastionId) : undefined;
    watchLimits({
      limits: limitsFromProperties(bastion?.properties),
      inputBytes: () => running.stats().bytesIn,
      notify: (message) => sendControl(ws, { type: 'notice', message }),
      expire: (reason, message) => {
        sendControl(ws, { type: 'notice', message: '' });
        running.end(reason, message);
      },
      ended: () => recordEnd.started,
    });
  })().catch((err: unknown) => {
    request.log.error({ err }, 'browser SSH connect failed');
    failWithError(ws, err);
  });
}

/** The PTY's first size from the upgrade URL (`cols`, `rows`, validated by the route's schema), if given. */
function initialSize(query: { cols?: number; rows?: number }): { cols?: number; rows?: number } {
  return query.cols !== undefined && query.rows !== undefined ? { cols: query.cols, rows: query.rows } : {};
}
