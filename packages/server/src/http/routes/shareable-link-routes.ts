import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.js';
import { BastionError, conflict, notFound, validationError } from '../../errors.js';
import { bastionFeatures } from '../../inventory/bastion-features.js';
import * as ids from '../../inventory/ids.js';
import type { InventoryService } from '../../inventory/service.js';
import { ACTIONS } from '../../rbac/index.js';
import { MAX_LINKS_PER_BASTION, SHARE_PATH, type ShareableLinks, type ShareableLinkView } from '../../sharing/shareable-links.js';
import type { LiveSessions } from '../../sessions/live-sessions.js';
import { checkConnect, connectDenial } from '../connect-access.js';
import { linkPrincipal } from '../share-access.js';
import { resourceIdFromUrl } from '../resource-url.js';
import { ArmResourceParams } from './schemas.js';
import { requestWho } from '../request-who.js';

const BASTION = '/api/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Network/bastionHosts/:name';
const strict = { additionalProperties: false } as const;
const VmRefs = Type.Array(Type.Object({ vm: Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }) }, strict) }, strict), { maxItems: MAX_LINKS_PER_BASTION });

export interface ShareableLinkRouteDeps {
  audit: AuditLog;
  inventory: InventoryService;
  links: ShareableLinks;
  /** Sessions opened through a link end when it is deleted. */
  live: LiveSessions;
  /** The origin of the URLs handed out: server.publicUrl's, else the request's checked Host. */
  publicOrigin: (request: FastifyRequest) => string;
}

/** Azure's BastionShareableLink item: `bsl` (the URL) only in the answer to create. */
const item = (link: ShareableLinkView, bsl: string | null) => ({ id: link.id, vm: link.vm, bsl, createdAt: link.createdAt, expiresAt: link.expiresAt, createdBy: link.createdBy });

/**
 * Shareable links as Azure's bastion actions (design 0007): createShareableLinks, getShareableLinks,
 * deleteShareableLinks, each a POST on the bastion with its own action, refused unless the bastion has
 * `enableShareableLink`. The creator must be able to connect to each VM through this bastion themselves.
 */
export const shareableLinkRoutes =
  (deps: ShareableLinkRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const bastionIdOf = (r: FastifyRequest): string => resourceIdFromUrl(r).replace(/\/(create|get|delete)ShareableLinks$/i, '');
    const on = (action: string) => ({ access: { kind: 'resource' as const, action, resource: bastionIdOf } });
    const bastionOf = async (request: FastifyRequest) => {
      const bastion = await deps.inventory.get(bastionIdOf(request));
      if (!bastion || bastion.type !== ids.TYPES.bastionHost) throw notFound(`Bastion ${ids.nameOf(bastionIdOf(request))}`);
      return bastion;
    };

    app.post(
      `${BASTION}/createShareableLinks`,
      {
        config: on(ACTIONS.bastionHosts.createShareableLinks),
        schema: { tags: ['bastion'], summary: 'Create shareable links to VMs (the URLs are shown only in this answer)', params: ArmResourceParams, body: Type.Object({ vms: VmRefs, expiresAt: Type.Optional(Type.String({ format: 'date-time' })) }, strict) },
      },
      async (request, reply) => {
        const bastion = await bastionOf(request);
        if (!bastionFeatures(bastion.properties).enableShareableLink) throw conflict(`Shareable links are not enabled on bastion ${bastion.name} (setting enableShareableLink).`);
        const expiresAt = request.body.expiresAt === undefined ? null : new Date(request.body.expiresAt).toISOString();
        if (expiresAt !== null && expiresAt <= new Date().toISOString()) throw validationError('expiresAt must be in the future.');
        const vmIds: string[] = [];
        for (const { vm } of request.body.vms) {
          const found = await deps.inventory.get(vm.id);
          if (!found || found.type !== ids.TYPES.virtualMachine) throw notFound(`Virtual machine ${vm.id}`);
          // You cannot hand out what you could not open yourself, nor a VM another bastion serves.
          const check = await checkConnect(deps, request, found.id);
          if (!check.allowed) throw new BastionError('BST_ERR_FORBIDDEN', `You cannot share ${found.name}: ${connectDenial(check)}.`);
          if (check.bastionHostId?.toLowerCase() !== bastion.id.toLowerCase()) throw validationError(`Virtual machine ${found.name} is not reached through bastion ${bastion.name}.`);
          vmIds.push(found.id);
        }
        // The cap, the links and their audit events: one transaction (design 0009).
        const made = await deps.audit.change(async (tx) => {
          const links = deps.links.in(tx);
          const existing = await links.count(bastion.id);
          if (existing + vmIds.length > MAX_LINKS_PER_BASTION) throw conflict(`Bastion ${bastion.name} has ${existing} shareable links; at most ${MAX_LINKS_PER_BASTION} are allowed. Delete some first.`);
          const made = await links.create({ bastionId: bastion.id, vmIds, createdBy: request.user!.username, createdById: request.user!.id, expiresAt });
          for (const m of made)
            await deps.audit.writeIn(tx, { ...requestWho(request), type: 'link.created', outcome: 'success', target: m.link.vm.id, message: `Shareable link ${m.link.id} to ${ids.nameOf(m.link.vm.id)} created${expiresAt ? `, expires ${expiresAt}` : ', no expiry'}.`, details: { linkId: m.link.id, bastionId: bastion.id, expiresAt } });
          return made;
        });
        const origin = deps.publicOrigin(request);
        return reply.code(200).send({ value: made.map((m) => item(m.link, `${origin}${SHARE_PATH}${m.secret}`)) });
      },
    );

    app.post(
      `${BASTION}/getShareableLinks`,
      {
        config: on(ACTIONS.bastionHosts.getShareableLinks),
        schema: { tags: ['bastion'], summary: "The bastion's shareable links (without their URLs: only a hash of each secret is kept)", params: ArmResourceParams, body: Type.Optional(Type.Object({ vms: Type.Optional(VmRefs) }, strict)) },
      },
      async (request) => {
        const bastion = await bastionOf(request);
        const links = await deps.links.list(bastion.id, request.body?.vms?.map((v) => v.vm.id));
        return { value: links.map((l) => item(l, null)) };
      },
    );

    app.post(
      `${BASTION}/deleteShareableLinks`,
      {
        config: on(ACTIONS.bastionHosts.deleteShareableLinks),
        schema: {
          tags: ['bastion'],
          summary: 'Revoke shareable links: all links of the VMs given, and/or the links with the IDs given',
          params: ArmResourceParams,
          body: Type.Object({ vms: Type.Optional(VmRefs), ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: MAX_LINKS_PER_BASTION })) }, strict),
        },
      },
      async (request) => {
        const bastion = await bastionOf(request);
        if (!request.body.vms?.length && !request.body.ids?.length) throw validationError('Give vms and/or ids of the links to delete.');
        const deleted = await deps.audit.change(async (tx) => {
          const deleted = await deps.links.in(tx).delete(bastion.id, { vmIds: request.body.vms?.map((v) => v.vm.id), ids: request.body.ids });
          if (deleted.length > 0)
            await deps.audit.writeIn(tx, { ...requestWho(request), type: 'link.deleted', outcome: 'success', target: bastion.id, message: `${deleted.length} shareable link(s) deleted.`, details: { linkIds: deleted.map((l) => l.id), vms: [...new Set(deleted.map((l) => l.vm.id))] } });
          return deleted;
        });
        // Revoking a link also ends what it opened: a visitor keeps no session the link no longer allows.
        const principals = new Set(deleted.map((l) => linkPrincipal(l.id)));
        await Promise.allSettled(deps.live.list().filter((s) => principals.has(s.info.principalId)).map((s) => s.terminate('terminated', 'The shareable link of this session was revoked.')));
        return { value: deleted.map((l) => item(l, null)) };
      },
    );
  };
