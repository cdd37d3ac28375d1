import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { RDP_STATUS_PATH, type RdpCertificateList, type RdpStatusResponse, type RdpTokenResponse } from '../../../../protocol/src/rdp-relay.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { ConnectionLog } from '../../audit/connection-log.js';
import { BastionError, conflict, notFound } from '../../errors.js';
import { RdpCertificateTrust } from '../../gateway/rdp/certificate-trust.js';
import { destinationOf, RdpTokenStore } from '../../gateway/rdp/tokens.js';
import { RdpSessionStatus } from '../../gateway/rdp/session-status.js';
import { checkDialTarget, dialError } from '../../gateway/target-policy.js';
import { clipboardAllowed } from '../../inventory/bastion-features.js';
import type { InventoryService } from '../../inventory/service.js';
import { ACTIONS } from '../../rbac/index.js';
import type { LiveSessions } from '../../sessions/live-sessions.js';
import type { Database } from '../../storage/schema.js';
import { checkConnect, connectDenial } from '../connect-access.js';
import { resourceIdFromUrl } from '../resource-url.js';
import { handleRdpRelay, type RdpRelayDeps } from './rdp-relay-handler.js';
import { ArmResourceParams } from './schemas.js';
import { checkWebSocketOrigin } from '../websocket-origin.js';
import { requestWho } from '../request-who.js';

const tags = ['bastion'];
const strict = { additionalProperties: false } as const;
const VM = '/api/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Compute/virtualMachines/:name';
const port = Type.Integer({ minimum: 1, maximum: 65535 });
const vmIdFor = (suffix: string) => (r: FastifyRequest): string => resourceIdFromUrl(r, suffix);
export const RDP_RELAY_PATH = '/api/rdp/relay';

export interface RdpRouteDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  inventory: InventoryService;
  allowedOrigins: (request: FastifyRequest) => string[];
  /** The origin of the proxy URL handed out: server.publicUrl's, else the request's checked Host. */
  publicOrigin: (request: FastifyRequest) => string;
  connections: ConnectionLog;
  live: LiveSessions;
  tokens?: RdpTokenStore;
  statuses?: RdpSessionStatus;
  certificates?: RdpCertificateTrust;
  dialTimeouts?: RdpRelayDeps['dialTimeouts'];
  /** Session recordings (design 0006): the relay's plaintext stream is captured as rdpcap. */
  recordings?: RdpRelayDeps['recordings'];
}

/** Browser RDP (design 0004): association tokens, the RDCleanPath relay, pinned VM certificates. */
export const rdpRoutes =
  (deps: RdpRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tokens = deps.tokens ?? new RdpTokenStore();
    const certificates = deps.certificates ?? new RdpCertificateTrust(deps.db);
    const statuses = deps.statuses ?? new RdpSessionStatus();
    app.addHook('onClose', async () => (tokens.clear(), statuses.clear()));
    const relayDeps: RdpRelayDeps = { ...deps, tokens, statuses, certificates };

    app.post(
      RDP_STATUS_PATH,
      {
        // As the relay's rule; the entry itself is bound to the user who redeemed the token (anyone else: 404).
        config: { access: { kind: 'somewhere', action: ACTIONS.virtualMachines.read } },
        schema: {
          tags,
          summary: 'Whether the RDP session opened with this association token is being recorded (its owner only; while it lives and a minute after)',
          body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) }, strict),
          response: { 200: Type.Object({ recorded: Type.Boolean(), message: Type.Optional(Type.String()), ended: Type.Optional(Type.Boolean()) }, strict) },
        },
      },
      async (request) => {
        const found = statuses.get(request.body.token, request.user!.id);
        if (!found) throw notFound('A live RDP session of yours opened with this token');
        const body: RdpStatusResponse = found;
        return body;
      },
    );

    const tokenVm = vmIdFor('/bastionRdp');
    app.post(
      `${VM}/bastionRdp`,
      {
        config: { access: { kind: 'resource', action: ACTIONS.virtualMachines.read, resource: tokenVm } },
        schema: { tags, summary: 'Issue a single-use RDCleanPath association token (30 s) for a browser RDP session to this VM', params: ArmResourceParams, body: Type.Object({ port: Type.Optional(port) }, strict) },
      },
      async (request, reply) => {
        const vmId = tokenVm(request);
        if (!(await deps.inventory.get(vmId))) throw notFound(`Virtual machine ${request.params.name}`);
        const check = await checkConnect(deps, request, vmId);
        if (!check.allowed) throw new BastionError('BST_ERR_FORBIDDEN', `You cannot connect to ${request.params.name}: ${connectDenial(check)}.`);
        // The target policy now, and again in the relay right before dialling (gateway/target-policy.ts).
        const dial = await checkDialTarget(deps.inventory, { vmId, bastionHostId: check.bastionHostId });
        if (!dial.ok) throw dialError(dial);
        const target = { userId: request.user!.id, vmId, host: dial.host, port: request.body.port ?? 3389 };
        const { token, expiresAt } = tokens.issue(target);
        await deps.audit.write({
          type: 'rdp.token.issued',
          outcome: 'success',
          ...requestWho(request),
          target: vmId,
          message: `RDP association token issued for ${destinationOf(target)}.`,
          details: { destination: destinationOf(target), expiresAt: expiresAt.toISOString() },
        });
        const body: RdpTokenResponse = { token, proxyUrl: `${deps.publicOrigin(request).replace(/^https:/, 'wss:')}${RDP_RELAY_PATH}`, destination: destinationOf(target), expiresAt: expiresAt.toISOString(), clipboard: await clipboardAllowed(deps.inventory, check.bastionHostId) };
        return reply.code(201).send(body);
      },
    );

    app.get(
      RDP_RELAY_PATH,
      {
        websocket: true,
        // The real checks (token, its owner and destination, the Connect check on its VM) run in the
        // handler; this rule only keeps out signed-in users who cannot read any VM at all.
        config: { access: { kind: 'somewhere', action: ACTIONS.virtualMachines.read } },
        schema: { tags, summary: 'WebSocket: RDCleanPath relay to a VM (binary messages; see design 0004)' },
        preValidation: async (request) => {
          // CSRF defence for WebSockets: the Origin must be the bastion's own.
          await checkWebSocketOrigin(request, deps.allowedOrigins);
        },
      },
      (socket, request) => handleRdpRelay(relayDeps, socket, request),
    );

    const listVm = vmIdFor('/rdpCertificates');
    app.get(
      `${VM}/rdpCertificates`,
      {
        config: { access: { kind: 'resource', action: ACTIONS.virtualMachines.read, resource: listVm } },
        schema: { tags, summary: "The VM's pinned RDP certificates, with the last one offered when it changed", params: ArmResourceParams },
      },
      async (request) => {
        const vmId = listVm(request);
        if (!(await deps.inventory.get(vmId))) throw notFound(`Virtual machine ${request.params.name}`);
        const body: RdpCertificateList = { value: await certificates.list(vmId) };
        return body;
      },
    );

    const acceptVm = vmIdFor('/rdpCertificates/accept');
    app.post(
      `${VM}/rdpCertificates/accept`,
      {
        config: { access: { kind: 'resource', action: ACTIONS.virtualMachines.write, resource: acceptVm } },
        schema: {
          tags,
          summary: "Accept the VM's new RDP certificate (the one last offered, by its SHA-256 fingerprint)",
          params: ArmResourceParams,
          body: Type.Object({ fingerprint: Type.String({ minLength: 1, maxLength: 200 }), port: Type.Optional(port) }, strict),
        },
      },
      async (request) => {
        const vmId = acceptVm(request);
        if (!(await deps.inventory.get(vmId))) throw notFound(`Virtual machine ${request.params.name}`);
        const p = request.body.port ?? 3389;
        // The new pin and its audit event commit together (design 0009).
        return deps.audit.change(async (tx) => {
          const accepted = await certificates.in(tx).accept(vmId, p, request.body.fingerprint, request.user!.username);
          if (!accepted) throw conflict(`No certificate with fingerprint ${request.body.fingerprint} was offered by ${request.params.name} on port ${p} since its certificate was pinned.`);
          await deps.audit.writeIn(tx, {
          type: 'rdp.certificate.accepted',
          outcome: 'success',
          ...requestWho(request),
          target: vmId,
          message: `RDP certificate of ${request.params.name}:${p} accepted: ${accepted.before.pinned.fingerprint} → ${accepted.after.pinned.fingerprint}.`,
          details: { port: p, oldFingerprint: accepted.before.pinned.fingerprint, newFingerprint: accepted.after.pinned.fingerprint, subject: accepted.after.pinned.subject },
          });
          return accepted.after;
        });
      },
    );
  };
