import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { BastionAuditRecord, BastionAuditStart } from '../../../../protocol/src/bastion-audit-log.js';
import type { ConnectionLog } from '../../audit/connection-log.js';
import { TUNNEL_CLOSE, TunnelRelay } from '../../gateway/tunnel/tcp-relay.js';
import { checkDialTarget } from '../../gateway/target-policy.js';
import type { GatewayWebSocket } from '../../gateway/ws-socket.js';
import type { InventoryReader } from '../../rbac/connect-check.js';
import type { LiveSessions } from '../../sessions/live-sessions.js';
import { limitsFromProperties, watchLimits } from '../../sessions/session-limits.js';
import type { TunnelTarget } from '../tunnel-access.js';
import { clientAddressOf } from './ssh-connect-handler.js';
import { ConnectionEnd } from './connection-end.js';

const DIAL_TIMEOUT_MS = 10_000;
const SHUTDOWN_MESSAGE = 'The bastion is shutting down.';

type DialResult = { ok: true; socket: Socket } | { ok: false; code: 'refused' | 'unreachable'; message: string };

/** TCP to the VM, with a timeout and a sentence naming address, port and timeout on failure. */
function dial(host: string, port: number, timeoutMs: number): Promise<DialResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, code: 'unreachable', message: `${host}:${port} did not answer within ${timeoutMs / 1000} s.` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setKeepAlive(true, 30_000);
      socket.setNoDelay(true);
      resolve({ ok: true, socket });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(err.code === 'ECONNREFUSED' ? { ok: false, code: 'refused', message: `${host}:${port} refused the connection.` } : { ok: false, code: 'unreachable', message: `${host}:${port} is unreachable (${err.code ?? err.message}).` });
    });
  });
}

/**
 * One tunnel connection after the upgrade (design 0007): the connection record (protocol `tunnel`, with the
 * tunnel's ID) is committed first, the session is registered so the Sessions page lists it and can
 * disconnect it, then the VM is dialled and bytes flow. Every outcome completes the record once.
 */
export function handleTunnel(
  deps: { connections: ConnectionLog; live: LiveSessions; inventory: InventoryReader; dialTimeoutMs?: number },
  socket: unknown,
  request: FastifyRequest,
  target: TunnelTarget,
  tunnelId: string | undefined,
): void {
  const ws = socket as GatewayWebSocket;
  const user = request.user!;
  const relay = new TunnelRelay(ws);
  if (deps.live.closing) return relay.end('server_shutdown', SHUTDOWN_MESSAGE);

  void (async () => {
    const client = clientAddressOf(request);
    const start: BastionAuditStart = {
      sessionId: randomUUID(),
      protocol: 'tunnel',
      bastionResourceId: target.bastionHostId,
      // A tunnel carries bytes only: the account used on the VM is not known to the bastion.
      userName: '',
      principalName: user.username,
      principalId: user.id,
      userAgent: request.headers['user-agent'] ?? null,
      clientIpAddress: client.ip,
      clientPort: client.port,
      targetResourceId: target.targetResourceId,
      targetVMIPAddress: target.host,
      targetPort: target.port,
      tunnelId: tunnelId ?? randomUUID(),
      startTime: new Date().toISOString(),
    };
    let record: BastionAuditRecord = await deps.connections.start(start);
    const recordEnd = new ConnectionEnd(deps.connections, request.log, () => record);
    const now = (): string => new Date().toISOString();
    let attached = false;
    const stop = (reason: 'terminated' | 'idle_timeout' | 'max_duration' | 'server_shutdown', message: string): Promise<void> => {
      relay.end(reason, message);
      if (!attached) void recordEnd.finish({ kind: 'ended', reason, endTime: now(), bytesIn: 0, bytesOut: 0 });
      return recordEnd.settled();
    };
    recordEnd.unregister = deps.live.add({
      sessionId: record.sessionId,
      protocol: 'tunnel',
      info: start,
      stats: () => (attached ? { ...relay.stats, maxUnackedBytes: 0 } : undefined),
      terminate: (reason, message) => stop(reason, message),
      shutdown: () => stop('server_shutdown', SHUTDOWN_MESSAGE),
    });

    // The target policy again right before dialling: the inventory may have changed since the upgrade began.
    const again = await checkDialTarget(deps.inventory, target.policy);
    if (!again.ok) {
      await recordEnd.finish({ kind: 'failed', errorCode: 'forbidden', message: again.message, endTime: now() });
      if (ws.readyState === 1) ws.close(TUNNEL_CLOSE.DIAL_FAILED, again.message.slice(0, 120));
      return;
    }
    const dialStarted = performance.now();
    const result = await dial(target.host, target.port, deps.dialTimeoutMs ?? DIAL_TIMEOUT_MS);
    if (!result.ok) {
      await recordEnd.finish({ kind: 'failed', errorCode: result.code, message: result.message, endTime: now() });
      if (ws.readyState === 1) ws.close(TUNNEL_CLOSE.DIAL_FAILED, result.message.slice(0, 120));
      return;
    }
    if (recordEnd.started || relay.clientGone) {
      result.socket.destroy();
      return void recordEnd.finish({ kind: 'ended', reason: 'client_closed', endTime: now(), bytesIn: 0, bytesOut: 0 });
    }
    record = await deps.connections.connected(record);
    deps.live.observeConnect('tunnel', (performance.now() - dialStarted) / 1000);
    attached = true;
    // The bastion's idle and maximum-length limits (design 0005) apply to tunnels too; activity is bytes from
    // the client (a native client's keepalives count, as they would for Azure), and there is no channel for a
    // warning: the close reason says why.
    const bastion = await deps.inventory.get(target.bastionHostId);
    const limits = watchLimits({
      limits: limitsFromProperties(bastion?.properties as { idleTimeoutMinutes?: unknown; maxSessionMinutes?: unknown } | undefined),
      inputBytes: () => relay.stats.bytesIn,
      notify: () => undefined,
      expire: (reason, message) => relay.end(reason, message),
      ended: () => recordEnd.started,
    });
    relay.attach(result.socket, (reason, stats) => {
      limits.dispose();
      void recordEnd.finish({ kind: 'ended', reason, endTime: now(), bytesIn: stats.bytesIn, bytesOut: stats.bytesOut });
    });
  })().catch((err: unknown) => {
    request.log.error({ err }, 'tunnel failed');
    relay.end('protocol_error', 'Internal error.');
  });
}
