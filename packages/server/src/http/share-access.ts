import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../audit/audit-log.js';
import { refusalAudit } from '../audit/refusal-limiter.js';
import { BastionError } from '../errors.js';
import { bastionFeatures } from '../inventory/bastion-features.js';
import * as ids from '../inventory/ids.js';
import type { Resource } from '../inventory/repository.js';
import type { InventoryService } from '../inventory/service.js';
import type { ShareableLinks, ShareableLinkView } from '../sharing/shareable-links.js';
import { requestWho } from './request-who.js';

/** Link-holder tickets and records are bound to `link:<id>` where a portal session's are bound to a user ID. */
export const linkPrincipal = (linkId: string): string => `link:${linkId}`;

export const LINK_INVALID_MESSAGE = 'This link is no longer valid: it was revoked or has expired. Ask the person who shared it for a new link.';

export interface ValidLink {
  link: ShareableLinkView;
  vm: Resource<Record<string, unknown>>;
  bastion: Resource<Record<string, unknown>>;
}

/**
 * A link is usable while it exists, has not expired, its bastion still has `enableShareableLink`, and its
 * VM still exists. Everything else is one answer to the visitor (410, no detail to probe with) and an
 * audit event with the real reason.
 */
export async function usableLink(deps: { inventory: InventoryService; audit: AuditLog; links: ShareableLinks }, request: FastifyRequest, by: { secret: string } | { id: string }): Promise<ValidLink> {
  const refuse = async (reason: string, target: string | null): Promise<never> => {
    await refusalAudit(deps.audit).write({ type: 'link.rejected', outcome: 'denied', ...requestWho(request, null), target, message: `Shareable link refused: ${reason}.`, details: { reason } });
    throw new BastionError('BST_ERR_LINK_INVALID', LINK_INVALID_MESSAGE);
  };
  let link: ShareableLinkView | undefined;
  if ('secret' in by) {
    const found = await deps.links.lookup(by.secret);
    if (!found.ok) return refuse(found.reason === 'expired' ? 'expired' : 'unknown or revoked', null);
    link = found.link;
  } else {
    link = await deps.links.get(by.id);
    if (!link) return refuse('revoked or expired since the session was requested', null);
  }
  const bastion = await deps.inventory.get(link.bastionId);
  if (!bastion || bastion.type !== ids.TYPES.bastionHost) return refuse('its bastion no longer exists', link.vm.id);
  if (!bastionFeatures(bastion.properties).enableShareableLink) return refuse(`shareable links are turned off on bastion ${bastion.name}`, link.vm.id);
  const vm = await deps.inventory.get(link.vm.id);
  if (!vm || vm.type !== ids.TYPES.virtualMachine) return refuse('its VM no longer exists', link.vm.id);
  return { link, vm, bastion };
}
