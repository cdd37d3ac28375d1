import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../../audit/audit-log.js';
import { BastionError, notFound } from '../../errors.js';
import type { ConnectionLog } from '../../audit/connection-log.js';
import { HostKeyTrust } from '../../gateway/ssh/index.js';
import type { SshTicketStore } from '../../gateway/ssh/tickets.js';
import { checkDialTarget, dialError } from '../../gateway/target-policy.js';
import { clipboardAllowed } from '../../inventory/bastion-features.js';
import type { InventoryService } from '../../inventory/service.js';
import { ACTIONS } from '../../rbac/index.js';
import type { Database } from '../../storage/schema.js';
import { checkConnect, connectDenial } from '../connect-access.js';
import { resourceIdFromUrl } from '../resource-url.js';
import { resolveTicketAuth } from '../vault-access.js';
import { checkWebSocketOrigin } from '../websocket-origin.js';
import type { LiveSessions } from '../../sessions/live-sessions.js';
import type { VaultStore } from '../../vault/index.js';
import type { Recordings } from '../../recordings/index.js';
import { failSocket, type RelaySocket } from '../../gateway/ssh/relay.js';
import { handleSshConnect, type SshAdmission } from './ssh-connect-handler.js';
import { refusalAudit } from '../../audit/refusal-limiter.js';
import { ArmResourceParams } from './schemas.js';
import { SshTicketCredentials, sshTicketFields, terminalSizeQuery, ticketAuthOf } from './ssh-ticket-schemas.js';
import { requestWho } from '../request-who.js';

const tags = ['bastion'];
const strict = { additionalProperties: false } as const;
const SUFFIX = '/bastionSsh';
const vmIdOf = (r: FastifyRequest): string => resourceIdFromUrl(r, SUFFIX);

export interface SshRouteDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  inventory: InventoryService;
  tickets: SshTicketStore;
  hostKeys: HostKeyTrust;
  allowedOrigins: (request: FastifyRequest) => string[];
  /** Key vault secrets for `auth: { type: 'vaultSecret' }` (absent: refused). */
  vault?: VaultStore | undefined;
  /** Connection records (bastion_audit_logs) and the connections in progress. */
  connections: ConnectionLog;
  live: LiveSessions;
  /** Session recordings (design 0006); absent: sessions are not recorded. */
  recordings?: Recordings | undefined;
}

/**
 * A portal user's VM ticket (design 0003): bound to the signed-in user; at upgrade the Connect check and the
 * target policy run again (its bastion is the record's and the limits'), then a vault reference is decrypted.
 */
function portalAdmission(deps: SshRouteDeps, request: FastifyRequest): SshAdmission {
  const user = request.user!;
  return {
    redeem: (ticket) => deps.tickets.redeem(ticket, user.id),
    ticketRefused: (code) => {
      void refusalAudit(deps.audit).write({ ...requestWho(request), type: 'ssh.ticket.rejected', outcome: 'denied', message: `Connect ticket refused: ${code}.`, details: { reason: code } });
      return code === 'ticket_expired' ? 'The connect ticket expired. Start the connection again from the portal.' : 'The connect ticket is not valid. Start the connection again from the portal.';
    },
    admit: async (target, gone) => {
      const check = await checkConnect(deps, request, target.vmId);
      if (!check.allowed) return { ok: false, code: 'forbidden', message: `You cannot connect to this VM: ${connectDenial(check)}.` };
      // Right before dialling: the NIC read now must still be the ticket's address and pass the policy.
      const dial = await checkDialTarget(deps.inventory, { vmId: target.vmId, bastionHostId: check.bastionHostId, issuedFor: target.host });
      if (!dial.ok) return { ok: false, code: 'forbidden', message: dial.message };
      if (gone()) return undefined;
      const resolved = await resolveTicketAuth(deps, request, target); // a vault reference is decrypted only now
      if (!resolved.ok || gone()) return resolved.ok ? undefined : resolved;
      const vm = await deps.inventory.get(target.vmId);
      return { ok: true, auth: resolved.auth, bastionId: check.bastionHostId, principalName: user.username, principalId: user.id, targetResourceId: vm?.id ?? target.vmId, hostKeyId: target.vmId };
    },
  };
}

/** Browser SSH (design 0003): connect tickets and the WebSocket relay. Needs @fastify/websocket registered. */
export const sshRoutes =
  (deps: SshRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {

    app.post(
      `/api/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Compute/virtualMachines/:name${SUFFIX}`,
      {
        config: { access: { kind: 'resource', action: ACTIONS.virtualMachines.read, resource: vmIdOf } },
        schema: {
          tags,
          summary: 'Issue a single-use connect ticket (30 s) for a browser SSH session to this VM',
          params: ArmResourceParams,
          body: Type.Object(sshTicketFields(SshTicketCredentials), strict),
        },
      },
      async (request, reply) => {
        const vmId = vmIdOf(request);
        if (!(await deps.inventory.get(vmId))) throw notFound(`Virtual machine ${request.params.name}`);
        const result = await checkConnect(deps, request, vmId);
        if (!result.allowed) throw new BastionError('BST_ERR_FORBIDDEN', `You cannot connect to ${request.params.name}: ${connectDenial(result)}.`);
        const dial = await checkDialTarget(deps.inventory, { vmId, bastionHostId: result.bastionHostId });
        if (!dial.ok) throw dialError(dial);
        const host = dial.host;
        const body = request.body;
        const auth = await ticketAuthOf(deps, request, body.auth);
        const { ticket, expiresAt } = deps.tickets.issue({ userId: request.user!.id, vmId, host, port: body.port ?? 22, username: body.username, auth });
        // Never the ticket itself, nor the credentials: only who, where and how.
        await deps.audit.write({ type: 'ssh.ticket.issued', outcome: 'success', ...requestWho(request), target: vmId, message: `Connect ticket issued for ${body.username}@${request.params.name}:${body.port ?? 22}.`, details: { userName: body.username, port: body.port ?? 22, authType: auth.type, expiresAt: expiresAt.toISOString() } });
        // Azure's disableCopyPaste on the Connect check's bastion: the terminal then keeps the clipboard out.
        return reply.code(201).send({ ticket, url: `/api/ssh/connect?ticket=${ticket}`, expiresAt: expiresAt.toISOString(), clipboard: await clipboardAllowed(deps.inventory, result.bastionHostId) });
      },
    );

    app.get(
      '/api/ssh/connect',
      {
        websocket: true,
        // The real checks (ticket, its owner, the Connect check on its VM) run below; this rule only keeps
        // out signed-in users who cannot read any VM at all.
        config: { access: { kind: 'somewhere', action: ACTIONS.virtualMachines.read } },
        schema: { tags, summary: 'WebSocket: a browser SSH session for a connect ticket', querystring: Type.Object({
            ticket: Type.Optional(Type.String({ maxLength: 128 })),
            ...terminalSizeQuery,
          }),
        },
        preValidation: async (request) => {
          await checkWebSocketOrigin(request, deps.allowedOrigins, {
            onRefused: (message, origin) => refusalAudit(deps.audit).write({ type: 'ssh.ticket.rejected', outcome: 'denied', ...requestWho(request), target: null, message, details: { reason: 'origin', origin } }),
          });
        },
      },
      // Ticket → access → vault credentials → connection record → SSH → relay (ssh-connect-handler.ts).
      (socket, request) => {
        if (!request.user) return failSocket(socket as unknown as RelaySocket, 'forbidden', 'Sign in first.');
        handleSshConnect(deps, socket, request, portalAdmission(deps, request));
      },
    );
  };
