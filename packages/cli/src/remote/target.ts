import { apiRequest } from './api.js';
import type { Credentials } from './credentials.js';

interface Listed {
  id: string;
  name: string;
  resourceGroup: string | null;
}

async function listOf(c: Credentials, type: string): Promise<Listed[]> {
  const subs = await apiRequest<{ value: Array<{ subscriptionId: string }> }>(c, 'GET', '/api/subscriptions');
  const all: Listed[] = [];
  for (const s of subs.value) all.push(...(await apiRequest<{ value: Listed[] }>(c, 'GET', `/api/subscriptions/${encodeURIComponent(s.subscriptionId)}/providers/${type}`)).value);
  return all;
}

/** A resource ID as given, or the one resource of `type` with that name (narrowed by resource group). */
async function resolveByName(c: Credentials, type: string, what: string, nameOrId: string, resourceGroup?: string): Promise<string> {
  if (nameOrId.startsWith('/')) return nameOrId;
  const matches = (await listOf(c, type)).filter((r) => r.name.toLowerCase() === nameOrId.toLowerCase() && (!resourceGroup || r.resourceGroup?.toLowerCase() === resourceGroup.toLowerCase()));
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) throw new Error(`No ${what} named ${nameOrId} that you can read${resourceGroup ? ` in resource group ${resourceGroup}` : ''}.`);
  throw new Error(`Several ${what}s are named ${nameOrId}; add --resource-group or give the resource ID:\n  ${matches.map((m) => m.id).join('\n  ')}`);
}

export const resolveVm = (c: Credentials, nameOrId: string, resourceGroup?: string): Promise<string> => resolveByName(c, 'Microsoft.Compute/virtualMachines', 'virtual machine', nameOrId, resourceGroup);

/** For --target-ip: the bastion named, or the only one the user can read. */
export async function resolveBastion(c: Credentials, nameOrId: string | undefined, resourceGroup?: string): Promise<string> {
  if (nameOrId) return resolveByName(c, 'Microsoft.Network/bastionHosts', 'bastion', nameOrId, resourceGroup);
  const all = await listOf(c, 'Microsoft.Network/bastionHosts');
  if (all.length === 1) return all[0]!.id;
  if (all.length === 0) throw new Error('You can read no bastion host: IP-based connection needs Reader on one.');
  throw new Error(`Several bastions are visible; choose one with --bastion:\n  ${all.map((b) => b.id).join('\n  ')}`);
}

/** Where a tunnel goes: a VM (resource ID) or an IP through a bastion. */
export type TunnelDestination = { vm: string; port: number } | { bastion: string; ip: string; port: number };

export function tunnelPath(d: TunnelDestination, tunnelId: string): string {
  const q = new URLSearchParams('vm' in d ? { vm: d.vm } : { bastion: d.bastion, ip: d.ip });
  q.set('port', String(d.port));
  q.set('tunnelId', tunnelId);
  return `/api/tunnel?${q.toString()}`;
}
