import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { refusalAudit } from '../../audit/refusal-limiter.js';
import type { FastifyRequest } from 'fastify';
import { BastionError, notFound } from '../../errors.js';
import { checkDialTarget } from '../../gateway/target-policy.js';
import { SshTicketStore } from '../../gateway/ssh/tickets.js';
import * as ids from '../../inventory/ids.js';
import { ACTIONS } from '../../rbac/index.js';
import { resourceIdFromUrl } from '../resource-url.js';
import { bastionOfIpTarget, ipTargetId } from '../tunnel-access.js';
import { resolveTicketAuth } from '../vault-access.js';
import { checkWebSocketOrigin } from '../websocket-origin.js';
import { handleSshConnect, type SshConnectDeps } from './ssh-connect-handler.js';
import { ArmResourceParams } from './schemas.js';
import { SshTicketCredentials, sshTicketFields, terminalSizeQuery, ticketAuthOf } from './ssh-ticket-schemas.js';
import { requestWho } from '../request-who.js';

export interface IpSshRouteDeps extends SshConnectDeps {
  allowedOrigins: (request: FastifyRequest) => string[];
}

const strict = { additionalProperties: false } as const;
const SUFFIX = '/bastionSsh';
export const IP_SSH_PATH = '/api/ssh/connect-ip';
const bastionIdOf = (r: FastifyRequest): string => resourceIdFromUrl(r, SUFFIX);

/**
 * Browser SSH to a private IP that is no registered VM (design 0007, IP-based connection):
 * `POST {bastion}/bastionSsh { targetIp, username, port?, auth }` needs Reader on the bastion plus
 * connectByIp/action and the IP policy; the WebSocket re-checks both at upgrade (a role removed or the
 * setting turned off since the ticket refuses the session), then runs the browser-SSH protocol.
 */
export const ipSshRoutes =
  (deps: IpSshRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tickets = new SshTicketStore();
    app.addHook('onClose', async () => tickets.clear());

    /** Access and policy for `ip` through `bastionId`: an error message, or undefined when allowed. */
    const refusal = async (request: FastifyRequest, bastionId: string, ip: string): Promise<{ status: number; message: string } | undefined> => {
      const grants = await request.grants();
      for (const action of [ACTIONS.bastionHosts.read, ACTIONS.bastionHosts.connectByIp])
        if (!grants.allows(action, bastionId)) return { status: 403, message: `You do not have permission for ${action} on bastionHosts/${ids.nameOf(bastionId)}.` };
      const dial = await checkDialTarget(deps.inventory, { bastionHostId: bastionId, ip });
      return dial.ok ? undefined : { status: dial.status, message: dial.message };
    };

    app.post(
      `/api/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Network/bastionHosts/:name${SUFFIX}`,
      {
        config: { access: { kind: 'resource', action: ACTIONS.bastionHosts.connectByIp, resource: bastionIdOf } },
        schema: {
          tags: ['bastion'],
          summary: 'Issue a single-use connect ticket (30 s) for a browser SSH session to a private IP through this bastion (enableIpConnect)',
          params: ArmResourceParams,
          body: Type.Object({ targetIp: Type.String({ minLength: 7, maxLength: 15 }), ...sshTicketFields(SshTicketCredentials) }, strict),
        },
      },
      async (request, reply) => {
        const bastionId = bastionIdOf(request);
        const bastion = await deps.inventory.get(bastionId);
        if (!bastion || bastion.type !== ids.TYPES.bastionHost) throw notFound(`Bastion ${request.params.name}`);
        const body = request.body;
        const refused = await refusal(request, bastion.id, body.targetIp);
        if (refused) {
          await refusalAudit(deps.audit).write({ type: 'tunnel.rejected', outcome: 'denied', ...requestWho(request), target: ipTargetId(bastion.id, body.targetIp), message: refused.message, details: { ip: body.targetIp, via: 'bastionSsh' } });
          throw new BastionError(refused.status === 400 ? 'BST_ERR_VALIDATION' : refused.status === 404 ? 'BST_ERR_NOT_FOUND' : 'BST_ERR_FORBIDDEN', refused.message);
        }
        const auth = await ticketAuthOf(deps, request, body.auth);
        const port = body.port ?? 22;
        const target = ipTargetId(bastion.id, body.targetIp);
        const { ticket, expiresAt } = tickets.issue({ userId: request.user!.id, vmId: target, host: body.targetIp, port, username: body.username, auth });
        await deps.audit.write({ type: 'ssh.ticket.issued', outcome: 'success', ...requestWho(request), target, message: `Connect ticket issued for ${body.username}@${body.targetIp}:${port} (IP-based connection).`, details: { userName: body.username, port, authType: auth.type, expiresAt: expiresAt.toISOString() } });
        return reply.code(201).send({ ticket, url: `${IP_SSH_PATH}?ticket=${ticket}`, expiresAt: expiresAt.toISOString() });
      },
    );

    app.get(
      IP_SSH_PATH,
      {
        websocket: true,
        config: { access: { kind: 'somewhere', action: ACTIONS.bastionHosts.connectByIp } },
        schema: {
          tags: ['bastion'],
          summary: 'WebSocket: a browser SSH session to a private IP (ticket from POST {bastion}/bastionSsh)',
          querystring: Type.Object({
            ticket: Type.Optional(Type.String({ maxLength: 128 })),
            ...terminalSizeQuery,
          }),
        },
        preValidation: async (request) => {
          await checkWebSocketOrigin(request, deps.allowedOrigins, { allowApiToken: true });
        },
      },
      // The ticket is bound to the user; at upgrade the actions and the IP policy are checked again. The
      // record's target is `<bastion id>/connectByIp/<ip>` (no VM), where the host key is pinned too.
      (socket, request) => {
        const user = request.user!;
        handleSshConnect(deps, socket, request, {
          redeem: (ticket) => tickets.redeem(ticket, user.id),
          ticketRefused: (code) => (code === 'ticket_expired' ? 'The connect ticket expired. Connect again.' : 'The connect ticket is not valid. Connect again.'),
          admit: async (target) => {
            const bastionId = bastionOfIpTarget(target.vmId)!; // the ticket's "VM" is <bastion id>/connectByIp/<ip>
            const refused = await refusal(request, bastionId, target.host);
            if (refused) return { ok: false, code: 'forbidden', message: refused.message };
            const resolved = await resolveTicketAuth(deps, request, target);
            if (!resolved.ok) return resolved;
            return { ok: true, auth: resolved.auth, bastionId, principalName: user.username, principalId: user.id, targetResourceId: target.vmId, hostKeyId: target.vmId };
          },
        });
      },
    );
  };
