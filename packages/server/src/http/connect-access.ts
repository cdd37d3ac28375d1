import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../audit/audit-log.js';
import type { InventoryService } from '../inventory/service.js';
import { connectCheck, type ConnectCheckResult } from '../rbac/index.js';
import { requestWho } from './request-who.js';

/** What the Connect check denied, in one sentence for messages and the audit log. */
export const connectDenial = (result: ConnectCheckResult): string => result.missing.map((m) => m.message).join('; ') || result.reason;

/**
 * Azure Bastion's Connect rule for the caller of `request`, with the grants the request already loaded,
 * and an `access.denied` audit event when it refuses. Used by the check route, ticket issue and upgrade.
 */
export async function checkConnect(deps: { inventory: InventoryService; audit: AuditLog }, request: FastifyRequest, vmId: string): Promise<ConnectCheckResult> {
  const result = await connectCheck(await request.grants(), deps.inventory, vmId);
  if (!result.allowed)
    await deps.audit.write({
      type: 'access.denied',
      outcome: 'denied',
      ...requestWho(request),
      target: vmId,
      message: `Connect check: ${connectDenial(result)}`,
      details: { missing: result.missing },
    });
  return result;
}
