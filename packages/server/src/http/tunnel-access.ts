import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../audit/audit-log.js';
import { refusalAudit } from '../audit/refusal-limiter.js';
import { BastionError, type ErrorCode } from '../errors.js';
import { checkDialTarget, type DialTarget } from '../gateway/target-policy.js';
import { bastionFeatures } from '../inventory/bastion-features.js';
import * as ids from '../inventory/ids.js';
import type { InventoryService } from '../inventory/service.js';
import { ACTIONS } from '../rbac/index.js';
import { checkConnect, connectDenial } from './connect-access.js';
import { requestWho } from './request-who.js';

/** Where one tunnel goes, decided before the WebSocket upgrade (design 0007). */
export interface TunnelTarget {
  /** The VM's resource ID, or `<bastion id>/connectByIp/<ip>` for an IP-based connection. */
  targetResourceId: string;
  bastionHostId: string;
  host: string;
  port: number;
  /** What the target policy checks again right before dialling (the inventory may change meanwhile). */
  policy: DialTarget;
}

export type TunnelRequest = { vm: string; port: number } | { bastion: string; ip: string; port: number };

const STATUS_CODE: Record<number, ErrorCode> = { 400: 'BST_ERR_VALIDATION', 403: 'BST_ERR_FORBIDDEN', 404: 'BST_ERR_NOT_FOUND' };

const tunnelingOff = (bastion: string): string => `Native client support is turned off on bastion ${bastion} (setting enableTunneling): use the portal's browser clients.`;

/** IP-based connection's ID of the "target" in records and audit events. */
export const ipTargetId = (bastionHostId: string, ip: string): string => `${bastionHostId}/connectByIp/${ip}`;
/** The bastion of an IP-based target (`<bastion id>/connectByIp/<ip>`); undefined for a VM's ID. */
export const bastionOfIpTarget = (targetId: string): string | undefined => {
  const at = targetId.toLowerCase().lastIndexOf('/connectbyip/');
  return at < 0 ? undefined : targetId.slice(0, at);
};

/**
 * Decides a tunnel's target, or throws the HTTP error the CLI shows (and audits the refusal):
 * - a VM: the Connect check (Reader on VM, NIC, bastion, peered network) and the target policy (only the
 *   VM's registered NIC address, inside the bastion's networks; gateway/target-policy.ts);
 * - an IP: Reader on the bastion plus connectByIp/action, and the target policy (enableIpConnect, inside
 *   the bastion's network, peerings or on-premises ranges; never loopback, link-local, the bastion's own);
 * - either way the bastion's `enableTunneling` (Azure's "Native client support"), checked once the user
 *   may know the bastion, so the refusal can name it.
 */
export async function resolveTunnelTarget(deps: { inventory: InventoryService; audit: AuditLog }, request: FastifyRequest, want: TunnelRequest): Promise<TunnelTarget> {
  const refuse = async (status: number, message: string, target: string | null): Promise<never> => {
    await refusalAudit(deps.audit).write({ type: 'tunnel.rejected', outcome: 'denied', ...requestWho(request), target, message, details: { port: want.port, ...('ip' in want ? { ip: want.ip } : {}) } });
    throw new BastionError(STATUS_CODE[status] ?? 'BST_ERR_FORBIDDEN', message);
  };
  if ('vm' in want) {
    const vm = await deps.inventory.get(want.vm);
    if (!vm || vm.type !== ids.TYPES.virtualMachine) return refuse(404, `Virtual machine ${want.vm} was not found.`, want.vm);
    const check = await checkConnect(deps, request, vm.id);
    if (!check.allowed) throw new BastionError('BST_ERR_FORBIDDEN', `You cannot connect to ${vm.name}: ${connectDenial(check)}.`);
    const via = check.bastionHostId ? await deps.inventory.get(check.bastionHostId) : undefined;
    if (via && !bastionFeatures(via.properties).enableTunneling) return refuse(403, tunnelingOff(via.name), vm.id);
    const dial = await checkDialTarget(deps.inventory, { vmId: vm.id, bastionHostId: check.bastionHostId });
    if (!dial.ok) return refuse(dial.status, dial.message, vm.id);
    const policy = { vmId: vm.id, bastionHostId: check.bastionHostId, issuedFor: dial.host };
    return { targetResourceId: vm.id, bastionHostId: check.bastionHostId!, host: dial.host, port: want.port, policy };
  }
  // Access first: whether the bastion exists is not told to someone who may not read it.
  await request.authorize(ACTIONS.bastionHosts.read, want.bastion);
  await request.authorize(ACTIONS.bastionHosts.connectByIp, want.bastion);
  const bastion = await deps.inventory.get(want.bastion);
  if (!bastion || bastion.type !== ids.TYPES.bastionHost) return refuse(404, `Bastion ${want.bastion} was not found.`, want.bastion);
  if (!bastionFeatures(bastion.properties).enableTunneling) return refuse(403, tunnelingOff(bastion.name), ipTargetId(bastion.id, want.ip));
  const policy = { bastionHostId: bastion.id, ip: want.ip };
  const dial = await checkDialTarget(deps.inventory, policy);
  if (!dial.ok) return refuse(dial.status, dial.message, ipTargetId(bastion.id, want.ip));
  return { targetResourceId: ipTargetId(bastion.id, want.ip), bastionHostId: bastion.id, host: dial.host, port: want.port, policy };
}
