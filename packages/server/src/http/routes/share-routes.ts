import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { checkDialTarget, dialError } from '../../gateway/target-policy.js';
import { SSH_TICKET_TTL_MS, SshTicketStore } from '../../gateway/ssh/tickets.js';
import { clipboardAllowed } from '../../inventory/bastion-features.js';
import type { ShareableLinks } from '../../sharing/shareable-links.js';
import { LINK_VISITOR_LIMITS, LinkVisitorLimits } from '../../sharing/visitor-limits.js';
import { visitorLimitAudited } from './share-visitor-limits.js';
import { LINK_INVALID_MESSAGE, linkPrincipal, usableLink } from '../share-access.js';
import type { SshAuth } from '../../gateway/ssh/index.js';
import { handleSshConnect, type SshAdmission, type SshConnectDeps } from './ssh-connect-handler.js';
import { SshCredentials, sshTicketFields, terminalSizeQuery, ticketAuthOf } from './ssh-ticket-schemas.js';
import { checkWebSocketOrigin } from '../websocket-origin.js';
import { requestWho } from '../request-who.js';

export interface ShareRouteDeps extends SshConnectDeps {
  links: ShareableLinks;
  allowedOrigins: (request: FastifyRequest) => string[];
}

const strict = { additionalProperties: false } as const;
const Secret = Type.Object({ secret: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * What a visitor with a shareable link can do, without a portal account (design 0007): read which VM the
 * link opens, ask for a connect ticket for that VM only (SSH: password or private key), and open the
 * terminal WebSocket with it. The secret in the URL is the authority; the WebSocket still needs the
 * bastion's own Origin. MFA for visitors is not available yet (the bastion has no MFA).
 */
export const shareRoutes =
  (deps: ShareRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Design 0008: visitors are rate limited, and their live tickets capped (each holds credentials).
    const tickets = new SshTicketStore(SSH_TICKET_TTL_MS, undefined, { perUser: LINK_VISITOR_LIMITS.liveTicketsPerLink, total: LINK_VISITOR_LIMITS.liveTicketsTotal });
    const limits = new LinkVisitorLimits();
    const bySecret = (request: FastifyRequest, secret: string) => limits.lookup(request.ip, () => usableLink(deps, request, { secret }));
    app.addHook('onError', visitorLimitAudited(deps.audit));
    app.addHook('onClose', async () => tickets.clear());

    app.get('/api/share/:secret', { config: { public: true }, schema: { tags: ['share'], summary: 'What a shareable link opens (410 when revoked or expired)', params: Secret } }, async (request) => {
      const { link, vm, bastion } = await bySecret(request, request.params.secret);
      return { vm: { name: vm.name, osType: (vm.properties as { osType?: string }).osType ?? 'linux' }, bastion: { name: bastion.name }, expiresAt: link.expiresAt, protocols: ['ssh'], mfaRequired: false };
    });

    app.post(
      '/api/share/:secret/ssh',
      {
        config: { public: true },
        schema: {
          tags: ['share'],
          summary: "A single-use connect ticket (30 s) for an SSH session to the link's VM",
          params: Secret,
          body: Type.Object(sshTicketFields(SshCredentials), strict),
        },
      },
      async (request, reply) => {
        limits.ticketRequest(request.ip);
        const { link, vm } = await bySecret(request, request.params.secret);
        limits.ticketForLink(link.id);
        const dial = await checkDialTarget(deps.inventory, { vmId: vm.id, bastionHostId: link.bastionId });
        if (!dial.ok) throw dialError(dial);
        const host = dial.host;
        const body = request.body;
        const auth = await ticketAuthOf(deps, request, body.auth);
        const port = body.port ?? 22;
        const issued = tickets.tryIssue({ userId: linkPrincipal(link.id), vmId: vm.id, host, port, username: body.username, auth });
        if (!issued.ok) throw limits.liveTicketsFull(issued.full, link.id, SSH_TICKET_TTL_MS);
        const { ticket, expiresAt } = issued;
        await deps.audit.write({ type: 'ssh.ticket.issued', outcome: 'success', ...requestWho(request, linkPrincipal(link.id)), target: vm.id, message: `Connect ticket issued through shareable link ${link.id} for ${body.username}@${vm.name}:${port}.`, details: { linkId: link.id, userName: body.username, port, authType: auth.type } });
        // clipboard: the bastion's disableCopyPaste applies to link visitors too (the terminal obeys it).
        return reply.code(201).send({ ticket, url: `/api/share/connect?link=${link.id}&ticket=${ticket}`, expiresAt: expiresAt.toISOString(), vmName: vm.name, clipboard: await clipboardAllowed(deps.inventory, link.bastionId) });
      },
    );

    app.get(
      '/api/share/connect',
      {
        websocket: true,
        config: { public: true },
        schema: {
          tags: ['share'],
          summary: 'WebSocket: the SSH session of a shareable-link visitor (same wire protocol as /api/ssh/connect)',
          querystring: Type.Object({
            link: Type.String({ maxLength: 64 }),
            ticket: Type.Optional(Type.String({ maxLength: 128 })),
            ...terminalSizeQuery,
          }),
        },
        preValidation: async (request) => {
          // CSRF defence for WebSockets: the Origin must be the bastion's own, link or not.
          await checkWebSocketOrigin(request, deps.allowedOrigins);
        },
      },
      (socket, request) => {
        handleSshConnect(deps, socket, request, linkAdmission(deps, request, tickets));
      },
    );
  };

/**
 * A link visitor's ticket (bound to `link:<id>`, from this plugin's own store). At upgrade the link is
 * checked again: revoked or expired since the ticket, the session is refused. The record names the link
 * (its ID is the principal) and who created it; the link's bastion gives the limits.
 */
function linkAdmission(deps: ShareRouteDeps, request: FastifyRequest, tickets: SshTicketStore): SshAdmission {
  const { link } = request.query as { link: string };
  return {
    actor: linkPrincipal(link),
    redeem: (ticket) => tickets.redeem(ticket, linkPrincipal(link)),
    ticketRefused: (code) => (code === 'ticket_expired' ? 'The connect ticket expired. Connect again.' : 'The connect ticket is not valid. Connect again.'),
    admit: async (target) => {
      let valid;
      try {
        valid = await usableLink(deps, request, { id: link });
      } catch {
        return { ok: false, code: 'forbidden', message: LINK_INVALID_MESSAGE };
      }
      if (valid.vm.id.toLowerCase() !== target.vmId.toLowerCase()) return { ok: false, code: 'forbidden', message: 'This link opens another VM.' };
      // The target policy again right before dialling, through the link's bastion.
      const dial = await checkDialTarget(deps.inventory, { vmId: valid.vm.id, bastionHostId: valid.bastion.id, issuedFor: target.host });
      if (!dial.ok) return { ok: false, code: 'forbidden', message: dial.message };
      const principal = linkPrincipal(valid.link.id);
      return {
        ok: true,
        auth: target.auth as SshAuth, // link tickets never carry vault references
        bastionId: valid.bastion.id,
        principalName: `${principal} (shared by ${valid.link.createdBy})`,
        principalId: principal,
        targetResourceId: valid.vm.id,
        hostKeyId: target.vmId,
        onStart: async (record) => {
          await deps.audit.write({ type: 'link.used', outcome: 'success', ...requestWho(request, principal), target: valid.vm.id, message: `Shareable link ${valid.link.id} used to connect to ${valid.vm.name} as ${target.username}.`, details: { linkId: valid.link.id, sessionId: record.sessionId, createdBy: valid.link.createdBy } });
        },
      };
    },
  };
}
