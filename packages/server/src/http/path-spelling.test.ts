import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { FastifyInstance, InjectOptions, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonCanonicalReason } from './plugins/canonical-path.js';
import { rawClient, type RawClient } from './raw-https.js';
import { as, createTestBastion, fillRoute, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Issue #12, finding 1: `/%61pi/users` answered the user list without credentials, because the checks read
 * the raw URL while the router matched the decoded one. Here every registered route is asked under every
 * odd spelling of its path, by a stranger, a signed-in user without roles, a Reader and the administrator:
 * no odd spelling may reach a route handler (each handler is wrapped to record calls), the answer is
 * 400/401/403/404 only, and nothing changes.
 */
const SUB = 'sub-spell';
const PASSWORD = 'Spell-Pass-123';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-sp`;

let b: TestBastion;
let admin: Session;
let nobody: Session;
let reader: Session;
let raw: RawClient;
/** Handlers reached, as "METHOD pattern". */
const reached: string[] = [];

const values: Record<string, string> = {
  'subscriptions/:sub': SUB,
  'resourceGroups/:rg': 'rg-sp',
  'virtualNetworks/:vnet': 'vnet-sp',
  'virtualNetworks/:name': 'vnet-sp',
  'subnets/:name': 'snet-vms',
  'virtualNetworkPeerings/:name': 'peer',
  'networkInterfaces/:name': 'nic-sp',
  'virtualMachines/:name': 'vm-sp',
  'bastionHosts/:name': 'bas-sp',
  'providers/:namespace': 'Microsoft.Compute',
  ':namespace/:type': 'virtualMachines',
  'users/:username': 'reader',
  'members/:username': 'reader',
  'groups/:name': 'team',
  'roleDefinitions/:id': '00000000-0000-4000-8000-000000000001',
  'roleAssignments/:id': '00000000-0000-4000-8000-000000000002',
  'vaults/:vault': 'kv-sp',
  'secrets/:secret': 'pw-sp',
  'recordings/:sessionId': '00000000-0000-4000-8000-000000000003',
  'share/:secret': 'A'.repeat(43),
  'tokens/:id': '00000000-0000-4000-8000-000000000004',
};

const fill = (url: string): string => fillRoute(url, values, (v) => v);

const hex = (c: string): string => `%${c.charCodeAt(0).toString(16)}`;

/** Every odd spelling of a canonical path that the issue lists, each different from the path itself. */
export function spellings(path: string): string[] {
  const segments = path.slice(1).split('/');
  const first = segments[0]!;
  const rest = segments.slice(1).join('/');
  const tail = rest ? `/${rest}` : '';
  const out = new Set<string>();
  // Each letter of the first segment percent-encoded (lower- and upper-case hex), and one letter later on.
  for (let i = 0; i < first.length; i++) {
    out.add(`/${first.slice(0, i)}${hex(first[i]!)}${first.slice(i + 1)}${tail}`);
    out.add(`/${first.slice(0, i)}${hex(first[i]!).toUpperCase()}${first.slice(i + 1)}${tail}`);
  }
  if (segments[1]) out.add(`/${first}/${hex(segments[1][0]!)}${segments[1].slice(1)}${segments.length > 2 ? `/${segments.slice(2).join('/')}` : ''}`);
  out.add(`/${first.toUpperCase()}${tail}`);
  out.add(`/${first[0]!.toUpperCase()}${first.slice(1)}${tail}`);
  out.add(`/${path}`); // leading //
  out.add(`/${first}/${tail}`); // // after the prefix
  out.add(`${path}/`);
  out.add(`/./${path.slice(1)}`);
  out.add(`/x/../${path.slice(1)}`);
  out.add(`/%2e/${path.slice(1)}`);
  out.add(`/${first}/%2E${tail}`);
  out.add(`/${first};x${tail}`);
  out.add(`${path};x`);
  out.add(`/${first}\\${rest}`);
  if (rest) out.add(`/${first}%2F${rest}`);
  if (segments.length > 2) out.add(`/${first}/${segments.slice(1).join('%2F')}`);
  if (segments.length > 2) out.add(`/${first}/${segments.slice(1).join('%2f')}`);
  out.add(`/${first}%252F${rest}`);
  out.delete(path);
  return [...out];
}

beforeAll(async () => {
  const onInstance = (message: unknown): void => {
    (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route: RouteOptions) => {
      const handler = route.handler as (...args: unknown[]) => unknown;
      const name = `${String(route.method)} ${route.url}`;
      route.handler = function recorded(this: unknown, ...args: unknown[]) {
        reached.push(name);
        return handler.apply(this, args);
      } as RouteOptions['handler'];
    });
  };
  subscribe('fastify.initialization', onInstance);
  try {
    b = await createTestBastion({
      users: [
        { username: 'nobody', password: PASSWORD },
        { username: 'reader', password: PASSWORD, groups: ['team'] },
      ],
      roleAssignments: [{ assignee: 'team', role: 'Reader', scope: rg }],
      inventory: {
        subscription: { id: SUB },
        resourceGroups: [{ name: 'rg-sp' }],
        virtualNetworks: [{ name: 'vnet-sp', resourceGroup: 'rg-sp', addressSpace: ['10.62.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.62.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.62.1.0/24' }] }],
        virtualMachines: [{ name: 'vm-sp', resourceGroup: 'rg-sp', osType: 'linux', nics: [{ name: 'nic-sp', virtualNetwork: 'vnet-sp', subnet: 'snet-vms', privateIpAddress: '10.62.1.4' }] }],
        bastionHosts: [{ name: 'bas-sp', resourceGroup: 'rg-sp', virtualNetwork: 'vnet-sp' }],
      },
    });
  } finally {
    unsubscribe('fastify.initialization', onInstance);
  }
  admin = await signInAsReadyAdmin(b);
  nobody = await signIn(b.app, 'nobody', PASSWORD, { remoteAddress: '127.0.0.251' });
  reader = await signIn(b.app, 'reader', PASSWORD, { remoteAddress: '127.0.0.252' });
  raw = await rawClient(b.app);
});
afterAll(async () => {
  await raw?.close();
  await b?.dispose();
});

/** What the administrator sees of users, groups, role assignments and the inventory: must not change. */
async function snapshot(): Promise<string> {
  const urls = ['/api/users', '/api/groups', '/api/roleAssignments', '/api/roleDefinitions', `/api/subscriptions/${SUB}/providers/Microsoft.Compute/virtualMachines`, `/api/subscriptions/${SUB}/providers/Microsoft.Network/networkInterfaces`, '/api/audit?type=user.created'];
  const parts: string[] = [];
  for (const url of urls) {
    const res = await as(b.app, admin, { url });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    parts.push(res.body);
  }
  return parts.join('\n');
}

describe('odd spellings of every route', () => {
  it('are recognised as odd by the canonical-path rule (and the canonical ones are not)', () => {
    expect(nonCanonicalReason('/api/users')).toBeUndefined();
    expect(nonCanonicalReason('/api/subscriptions/s/resourceGroups/a%20b')).toBeUndefined();
    for (const odd of spellings('/api/users')) expect(nonCanonicalReason(odd) ?? (odd === '/API/users' || odd === '/Api/users' ? 'no such route' : undefined), odd).toBeDefined();
  });

  it('reach no handler, for a stranger, a user without roles, a Reader and the administrator, and change nothing', async () => {
    const before = await snapshot();
    const routes = b.routes.filter((r) => r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(70);
    reached.length = 0;
    const failures: string[] = [];
    let asked = 0;
    for (const route of routes) {
      const method = String(route.method) as NonNullable<InjectOptions['method']>;
      const payload = method === 'GET' || method === 'DELETE' ? undefined : { username: 'intruder', password: 'Intruder-Pass-1', properties: {} };
      for (const url of spellings(fill(route.url))) {
        for (const who of [undefined, nobody, reader, admin]) {
          const headers: Record<string, string> = who ? { cookie: `bastion_session=${who.cookie}`, 'x-csrf-token': who.csrfToken } : {};
          const res = await raw.send({ method, path: url, headers, ...(payload ? { body: payload } : {}) });
          asked++;
          if (![400, 401, 403, 404].includes(res.status)) failures.push(`${who?.username ?? 'stranger'} ${method} ${url} → ${res.status} ${res.body.slice(0, 120)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(reached).toEqual([]);
    expect(asked).toBeGreaterThan(5000);
    expect(await snapshot()).toBe(before);
  });

  it('the finding itself: /%61pi/users answers 400 to a stranger, and POST creates no user', async () => {
    const list = await raw.send({ method: 'GET', path: '/%61pi/users' });
    expect(list.status).toBe(400);
    expect(list.body).not.toContain('"username"');
    const made = await raw.send({ method: 'POST', path: '/%61pi/users', body: { username: 'intruder', password: 'Intruder-Pass-1' } });
    expect(made.status).toBe(400);
    expect((JSON.parse(made.body) as { error: { message: string } }).error.message).toContain("encoded 'a' (%61)");
    expect(((await as(b.app, admin, { url: '/api/users/intruder' })).statusCode)).toBe(404);
  });

  it('canonical spellings still work as before: the Reader reads its VM, a stranger gets 401', async () => {
    expect((await as(b.app, reader, { url: `/api${rg}/providers/Microsoft.Compute/virtualMachines/vm-sp` })).statusCode).toBe(200);
    expect((await b.app.inject({ url: '/api/users' })).statusCode).toBe(401);
    expect((await b.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});
