import type { InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import { ERROR_CATALOGUE } from '../../errors.js';
import type { TestBastion } from '../test-app.js';
import { fuzzPathParam, type Rng } from './generators.js';

/**
 * Test-only fixture of the HTTP fuzz suite: the inventory it runs on, the real names its URL parameters
 * are filled with, the check every answer must pass, and a snapshot of everything a request could change.
 */
export const SUB = 'sub-fuzz';
export const PASSWORD = 'Fuzz-Pass-123';
export const RG = `/subscriptions/${SUB}/resourceGroups/rg-fz`;

export const FUZZ_CONFIG = {
  users: [
    { username: 'nobody', password: PASSWORD },
    { username: 'reader', password: PASSWORD },
    { username: 'member', password: PASSWORD, groups: ['team'] },
  ],
  roleAssignments: [
    { assignee: 'reader', role: 'Reader', scope: `/subscriptions/${SUB}` },
    { assignee: 'team', role: 'Reader', scope: RG },
  ],
  inventory: {
    subscription: { id: SUB },
    resourceGroups: [{ name: 'rg-fz' }],
    virtualNetworks: [
      { name: 'vnet-fz', resourceGroup: 'rg-fz', addressSpace: ['10.62.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.62.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.62.1.0/24' }], peerings: ['vnet-fz-peer'] },
      { name: 'vnet-fz-peer', resourceGroup: 'rg-fz', addressSpace: ['10.63.0.0/16'] },
    ],
    virtualMachines: [{ name: 'vm-fz', resourceGroup: 'rg-fz', osType: 'linux' as const, nics: [{ name: 'nic-fz', virtualNetwork: 'vnet-fz', subnet: 'snet-vms', privateIpAddress: '10.62.1.4' }] }],
    bastionHosts: [{ name: 'bas-fz', resourceGroup: 'rg-fz', virtualNetwork: 'vnet-fz', enableShareableLink: true, enableIpConnect: true }],
  },
};

/** Real names, keyed by the segment before the parameter (as route-access.test.ts does). */
export const PARAM_VALUES: Record<string, string> = {
  'subscriptions/:sub': SUB,
  'resourceGroups/:rg': 'rg-fz',
  'virtualNetworks/:vnet': 'vnet-fz',
  'virtualNetworks/:name': 'vnet-fz',
  'subnets/:name': 'snet-vms',
  'virtualNetworkPeerings/:name': 'vnet-fz-to-vnet-fz-peer',
  'networkInterfaces/:name': 'nic-fz',
  'virtualMachines/:name': 'vm-fz',
  'bastionHosts/:name': 'bas-fz',
  'providers/:namespace': 'Microsoft.Compute',
  ':namespace/:type': 'virtualMachines',
  'users/:username': 'member',
  'members/:username': 'member',
  'groups/:name': 'team',
  'vaults/:vault': 'kv-fz',
  'secrets/:secret': 'pw-fz',
  'recordings/:sessionId': '00000000-0000-4000-8000-000000000001',
};

/** The route's URL with every `:param` replaced by a real name or a hostile one. */
export function fillUrl(rng: Rng, url: string, extra: Record<string, string>): string {
  const parts = url.split('/');
  return parts.map((seg, i) => (seg.startsWith(':') ? fuzzPathParam(rng, extra[`${parts[i - 1]}/${seg}`] ?? PARAM_VALUES[`${parts[i - 1]}/${seg}`]) : seg)).join('/');
}

export interface Attempt {
  who: string;
  route: RouteOptions;
  opts: InjectOptions;
  kind: string;
}

/** What is wrong with an answer (undefined when nothing): a 5xx, or an error outside the catalogue's shape. */
export function problemWith(res: LightMyRequestResponse, method: string): string | undefined {
  if (res.statusCode >= 500) return `answered ${res.statusCode}`;
  if (res.statusCode < 400 || method === 'HEAD') return undefined; // a HEAD answer has no body to check
  if (!String(res.headers['content-type'] ?? '').includes('application/json')) return `error ${res.statusCode} is not JSON (${String(res.headers['content-type'])})`;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return `error ${res.statusCode} body is not valid JSON`;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; statusCode?: unknown } }).error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string' || error.statusCode !== res.statusCode) return `error ${res.statusCode} has not the { error: { code, message, statusCode } } shape`;
  const known = (ERROR_CATALOGUE as Record<string, { status: number }>)[error.code];
  if (!known) return `error code ${error.code} is not in the catalogue`;
  if (known.status !== res.statusCode) return `error code ${error.code} answered with ${res.statusCode}, the catalogue says ${known.status}`;
  return undefined;
}

/** A one-line replay of an attempt for failure reports (the body cut short). */
export function describeAttempt(a: Attempt, res: LightMyRequestResponse | undefined, problem: string): string {
  const body = a.opts.payload === undefined ? '' : ` body(${a.kind})=${JSON.stringify(String(a.opts.payload).slice(0, 160))}`;
  const ct = (a.opts.headers as Record<string, string> | undefined)?.['content-type'];
  return `[${a.who}] ${String(a.opts.method)} ${String(a.opts.url).slice(0, 300)}${ct ? ` ct=${JSON.stringify(ct)}` : ''}${body} → ${problem}${res ? `: ${res.body.slice(0, 300)}` : ''}`;
}

// Written by every request (audit trail, session last-seen, connection records) or by /readyz's write probe: not "state" a caller changes.
const NOT_STATE = new Set(['audit_events', 'web_sessions', 'bastion_audit_logs', 'kysely_migration', 'kysely_migration_lock', 'health_probe']);
const VOLATILE_COLUMNS = new Set(['last_used_at', 'last_seen_at']);

/** Every row of every table a request could change (sorted, volatile columns dropped), as one JSON text. */
export async function snapshotState(b: TestBastion): Promise<Record<string, string>> {
  const tables = (await b.store.db.introspection.getTables()).map((t) => t.name).filter((t) => !NOT_STATE.has(t)).sort();
  const out: Record<string, string> = {};
  for (const table of tables) {
    const rows = (await b.store.db.selectFrom(table as never).selectAll().execute()) as Array<Record<string, unknown>>;
    out[table] = JSON.stringify(rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !VOLATILE_COLUMNS.has(k))))).sort());
  }
  return out;
}
