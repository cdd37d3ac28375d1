import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.js';
import type { ConnectionLog } from '../../audit/connection-log.js';
import { validationError } from '../../errors.js';
import type { InventoryService } from '../../inventory/service.js';
import { ACTIONS } from '../../rbac/index.js';
import type { LiveSessions } from '../../sessions/live-sessions.js';
import { resolveTunnelTarget, type TunnelTarget } from '../tunnel-access.js';
import { handleTunnel } from './tunnel-handler.js';
import { checkWebSocketOrigin } from '../websocket-origin.js';

export const TUNNEL_PATH = '/api/tunnel';

export interface TunnelRouteDeps {
  audit: AuditLog;
  inventory: InventoryService;
  connections: ConnectionLog;
  live: LiveSessions;
  allowedOrigins: (request: FastifyRequest) => string[];
  /** TCP connect timeout toward the VM (tests shorten it). */
  dialTimeoutMs?: number;
}

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * Native-client tunnels (design 0007): `GET /api/tunnel?vm=<id>&port=22` or `?bastion=<id>&ip=<ip>&port=22`,
 * upgraded to a WebSocket that carries one TCP connection's bytes as binary messages. Everything is
 * decided before the upgrade, so a refusal is a plain HTTP error (403 naming the missing role, 404) that
 * the CLI prints; only then the connection record is written and the VM dialled.
 */
export const tunnelRoutes =
  (deps: TunnelRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const targets = new WeakMap<FastifyRequest, TunnelTarget>();
    app.get(
      TUNNEL_PATH,
      {
        websocket: true,
        // The real checks (Connect check, or connectByIp on the bastion, and the dial policy) run in
        // preHandler; this rule keeps out users who cannot read any bastion (every route needs both).
        config: { access: { kind: 'somewhere', action: ACTIONS.bastionHosts.read } },
        schema: {
          tags: ['bastion'],
          summary: 'WebSocket: a native-client TCP tunnel to a VM (or, with enableIpConnect, a private IP) through the bastion',
          querystring: Type.Object(
            {
              vm: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
              bastion: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
              ip: Type.Optional(Type.String({ minLength: 7, maxLength: 15 })),
              port: Type.Integer({ minimum: 1, maximum: 65535 }),
              tunnelId: Type.Optional(Type.String({ pattern: UUID })),
            },
            { additionalProperties: false },
          ),
        },
        preHandler: async (request) => {
          // A browser (cookie session) must come from the bastion's own origin: the CSRF defence for
          // WebSockets. A bearer token cannot be attached by a foreign page, so the CLI sends no Origin.
          await checkWebSocketOrigin(request, deps.allowedOrigins, { allowApiToken: true });
          const q = request.query as { vm?: string; bastion?: string; ip?: string; port: number };
          if ((q.vm === undefined) === (q.bastion === undefined && q.ip === undefined))
            throw validationError('Give either vm=<VM resource ID>, or bastion=<bastion resource ID> and ip=<private IP>.');
          if (q.vm === undefined && (q.bastion === undefined || q.ip === undefined)) throw validationError('IP-based connection needs both bastion=<bastion resource ID> and ip=<private IP>.');
          const want = q.vm !== undefined ? { vm: q.vm, port: q.port } : { bastion: q.bastion!, ip: q.ip!, port: q.port };
          targets.set(request, await resolveTunnelTarget(deps, request, want));
        },
      },
      (socket, request) => {
        const target = targets.get(request);
        targets.delete(request);
        handleTunnel(deps, socket, request, target!, (request.query as { tunnelId?: string }).tunnelId);
      },
    );
  };
