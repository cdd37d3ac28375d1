import type { InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestBastion, fillRoute, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Fail-closed authorization over the whole route table. The routes are the ones the app registered
 * (recorded by an onRoute hook from the moment the Fastify instance exists), so a route added tomorrow is
 * checked too: every /api route that is not public and not "self" must refuse a signed-in user who holds
 * no role assignment with 403 BST_ERR_FORBIDDEN, whatever it is asked, on resources that do exist.
 */
const SUB = 'sub-routes';
const PASSWORD = 'Routes-Pass-123';
/** Non-public, non-self /api routes (one per method, HEAD aside) when this test was written. */
const KNOWN_GUARDED_ROUTES = 53;
/** The only /api routes reachable without signing in, and the only ones that need no role. */
// Design 0007: CLI sign-in (POST /api/auth/tokens) and a shareable link's visitor (the secret is the authority).
const PUBLIC_API = ['GET /api/share/:secret', 'GET /api/share/connect', 'POST /api/auth/login', 'POST /api/auth/logout', 'POST /api/auth/tokens', 'POST /api/share/:secret/ssh'].sort();
const SELF_API = ['DELETE /api/auth/tokens/:id', 'GET /api/auth/me', 'GET /api/auth/permissions', 'GET /api/auth/tokens', 'POST /api/auth/password'].sort();

let b: TestBastion;
let admin: Session;
let nobody: Session;
/** What each URL parameter becomes, keyed by the segment before it: real names of existing things. */
let values: Record<string, string>;

const errorOf = (res: LightMyRequestResponse) => (res.json() as { error: { code: string; message: string; statusCode: number } }).error;
const key = (r: RouteOptions) => `${String(r.method)} ${r.url}`;
const apiRoutes = () => b.routes.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD');
const guarded = () => apiRoutes().filter((r) => !r.config?.public && r.config?.access?.kind !== 'self');
const rg = `/subscriptions/${SUB}/resourceGroups/rg-ra`;
const vmId = `${rg}/providers/Microsoft.Compute/virtualMachines/vm-ra`;

/** The route's URL with every `:param` replaced; throws naming a parameter this test does not know yet. */
const fill = (url: string): string => fillRoute(url, values);

beforeAll(async () => {
  b = await createTestBastion({
    users: [
      { username: 'nobody', password: PASSWORD },
      { username: 'member', password: PASSWORD, groups: ['team'] },
    ],
    roleAssignments: [{ assignee: 'team', role: 'Reader', scope: rg }],
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-ra' }],
      virtualNetworks: [
        { name: 'vnet-ra', resourceGroup: 'rg-ra', addressSpace: ['10.60.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.60.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.60.1.0/24' }], peerings: ['vnet-peer'] },
        { name: 'vnet-peer', resourceGroup: 'rg-ra', addressSpace: ['10.61.0.0/16'] },
      ],
      virtualMachines: [{ name: 'vm-ra', resourceGroup: 'rg-ra', osType: 'linux', nics: [{ name: 'nic-ra', virtualNetwork: 'vnet-ra', subnet: 'snet-vms', privateIpAddress: '10.60.1.4' }] }],
      bastionHosts: [{ name: 'bas-ra', resourceGroup: 'rg-ra', virtualNetwork: 'vnet-ra' }],
    },
  });
  admin = await signInAsReadyAdmin(b);
  nobody = await signIn(b.app, 'nobody', PASSWORD);
  const role = await as(b.app, admin, { method: 'POST', url: '/api/roleDefinitions', payload: { name: 'Route Reader', actions: ['*/read'], assignableScopes: ['/'] } });
  expect(role.statusCode, role.body).toBe(201);
  const assignments = (await as(b.app, admin, { url: `/api/roleAssignments?scope=${encodeURIComponent(rg)}` })).json() as { value: Array<{ id: string; principalName: string }> };
  const teamReader = assignments.value.find((a) => a.principalName === 'team');
  if (!teamReader) throw new Error(`the declared assignment of team is missing: ${JSON.stringify(assignments)}`);
  const kv = `/api${rg}/providers/Microsoft.KeyVault/vaults/kv-ra`;
  expect((await as(b.app, admin, { method: 'PUT', url: kv, payload: {} })).statusCode).toBe(201);
  const secret = await as(b.app, admin, { method: 'PUT', url: `${kv}/secrets/pw-ra`, payload: { properties: { contentType: 'password', value: 'Route-Secret-1' } } });
  expect(secret.statusCode, secret.body).toBe(200);
  values = {
    'subscriptions/:sub': SUB,
    'resourceGroups/:rg': 'rg-ra',
    'virtualNetworks/:vnet': 'vnet-ra',
    'virtualNetworks/:name': 'vnet-ra',
    'subnets/:name': 'snet-vms',
    'virtualNetworkPeerings/:name': 'vnet-ra-to-vnet-peer',
    'networkInterfaces/:name': 'nic-ra',
    'virtualMachines/:name': 'vm-ra',
    'bastionHosts/:name': 'bas-ra',
    'providers/:namespace': 'Microsoft.Compute',
    ':namespace/:type': 'virtualMachines',
    'users/:username': 'member',
    'members/:username': 'member',
    'groups/:name': 'team',
    'roleDefinitions/:id': (role.json() as { id: string }).id,
    'roleAssignments/:id': teamReader.id,
    'vaults/:vault': 'kv-ra',
    'secrets/:secret': 'pw-ra',
    'recordings/:sessionId': '00000000-0000-4000-8000-000000000001',
  };
  // The values name things that exist: the administrator can read each of them.
  for (const url of [`/api${vmId}`, `/api${rg}/providers/Microsoft.Network/virtualNetworks/vnet-ra/virtualNetworkPeerings/vnet-ra-to-vnet-peer`, `/api${rg}/providers/Microsoft.Network/bastionHosts/bas-ra`, '/api/users/member'])
    expect((await as(b.app, admin, { url })).statusCode, url).toBe(200);
});
afterAll(async () => {
  await b?.dispose();
});

describe('the route table', () => {
  it('was recorded completely: the routes of every area are there', () => {
    const keys = b.routes.map(key);
    for (const k of ['GET /healthz', 'POST /api/auth/login', 'GET /api/users', 'GET /api/audit', 'GET /api/subscriptions', `PUT /api/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Compute/virtualMachines/:name`, 'POST /api/roleAssignments', 'GET /openapi.json'])
      expect(keys).toContain(k);
  });

  it('has nothing outside /api that is not public (only /api routes are authenticated)', () => {
    expect(b.routes.filter((r) => !r.url.startsWith('/api/') && !r.config?.public).map(key)).toEqual([]);
  });

  it('has exactly the known public and self /api routes', () => {
    expect(apiRoutes().filter((r) => r.config?.public).map(key).sort()).toEqual(PUBLIC_API);
    expect(apiRoutes().filter((r) => r.config?.access?.kind === 'self').map(key).sort()).toEqual(SELF_API);
  });

  it(`declares an access rule on every non-public /api route (at least ${KNOWN_GUARDED_ROUTES} guarded routes)`, () => {
    expect(apiRoutes().filter((r) => !r.config?.public && !r.config?.access).map(key)).toEqual([]);
    for (const r of guarded()) expect(['resource', 'somewhere'], key(r)).toContain(r.config?.access?.kind);
    expect(guarded().length).toBeGreaterThanOrEqual(KNOWN_GUARDED_ROUTES);
  });
});

describe('a signed-in user without any role assignment', () => {
  it('is refused with 403 BST_ERR_FORBIDDEN by every guarded route, on resources that exist', async () => {
    const failures: string[] = [];
    for (const route of guarded()) {
      const method = String(route.method) as NonNullable<InjectOptions['method']>;
      const url = fill(route.url);
      const res = await as(b.app, nobody, { method, url, ...(method === 'PUT' || method === 'POST' ? { payload: {} } : {}) });
      const code = String(res.headers['content-type']).includes('json') ? (res.json() as { error?: { code?: string } }).error?.code : undefined;
      if (res.statusCode !== 403 || code !== 'BST_ERR_FORBIDDEN') failures.push(`${method} ${url} → ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });

  it('sees an empty world: no subscriptions, no permissions, and every refusal is audited', async () => {
    const subs = await as(b.app, nobody, { url: '/api/subscriptions' });
    expect(subs.statusCode).toBe(403);
    expect(errorOf(subs)).toEqual({ code: 'BST_ERR_FORBIDDEN', message: expect.stringContaining('none of your role assignments allows'), statusCode: 403 });
    const me = await as(b.app, nobody, { url: '/api/auth/me' });
    expect(me.statusCode).toBe(200);
    expect((me.json() as { user: unknown }).user).toMatchObject({ username: 'nobody', isAdmin: false, groups: [], permissions: { manageAccess: false, manageIdentity: false, readAudit: false } });
    const denied = (await as(b.app, admin, { url: '/api/audit?type=access.denied&actor=nobody&limit=1000' })).json() as { value: Array<{ outcome: string; target: string }> };
    expect(denied.value.length).toBeGreaterThanOrEqual(guarded().length);
    expect(denied.value.every((e) => e.outcome === 'denied' && e.target)).toBe(true);
    expect(denied.value.map((e) => e.target)).toContain(vmId);
  });

  it('changed nothing: the refused writes and deletes did not happen', async () => {
    expect((await as(b.app, admin, { url: `/api${vmId}` })).statusCode).toBe(200);
    expect((await as(b.app, admin, { url: '/api/users/member' })).json()).toMatchObject({ groups: ['team'] });
    const assignments = (await as(b.app, admin, { url: `/api/roleAssignments?scope=${encodeURIComponent(rg)}` })).json() as { value: unknown[] };
    expect(assignments.value).toHaveLength(1);
    const roles = (await as(b.app, admin, { url: '/api/roleDefinitions' })).json() as { value: Array<{ name: string }> };
    expect(roles.value.map((r) => r.name)).toContain('Route Reader');
  });
});

describe('URLs the rules cannot be fooled by', () => {
  it("refuses an encoded '/' that would make a resource-group route act on a VM (400), and changes nothing", async () => {
    const smuggled = `/api${rg}%2Fproviders%2FMicrosoft.Compute%2FvirtualMachines%2Fvm-ra`;
    for (const session of [admin, nobody]) {
      const res = await as(b.app, session, { method: 'DELETE', url: smuggled });
      expect({ status: res.statusCode, code: errorOf(res).code }).toEqual({ status: 400, code: 'BST_ERR_VALIDATION' });
      expect(errorOf(res).message).toContain('%2F');
    }
    expect((await as(b.app, admin, { url: `/api${vmId}` })).statusCode).toBe(200);
  });

  it('answers a malformed name with 400 to a caller who holds the action somewhere, 403 to one who does not', async () => {
    const url = `/api/subscriptions/${SUB}/resourceGroups/bad name!`;
    const asAdmin = await as(b.app, admin, { method: 'PUT', url, payload: {} });
    expect({ status: asAdmin.statusCode, code: errorOf(asAdmin).code }).toEqual({ status: 400, code: 'BST_ERR_VALIDATION' });
    expect(errorOf(asAdmin).message).toContain('bad name!');
    expect(errorOf(await as(b.app, nobody, { method: 'PUT', url, payload: {} })).code).toBe('BST_ERR_FORBIDDEN');
  });

  it('answers an unknown /api URL with 404, whatever the roles', async () => {
    for (const session of [admin, nobody]) {
      const res = await as(b.app, session, { url: '/api/no-such-route' });
      expect({ status: res.statusCode, code: errorOf(res).code }).toEqual({ status: 404, code: 'BST_ERR_NOT_FOUND' });
    }
  });
});
