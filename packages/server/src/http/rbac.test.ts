import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestBastion, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Access control through the HTTP API, as the portal drives it: an administrator creates users and a
 * group and assigns roles; the Connect check names the Reader roles still missing (directly, through a
 * group, through a peered hub); Contributor versus User Access Administrator; a custom role; refused
 * assignments; the audit trail. The tests run in order and build on each other's assignments.
 *
 * Inventory (subscription sub-iam):
 * - rg-app:   vnet-app (AzureBastionSubnet, snet-vms), web01 ← web01-nic, web02 ← web02-nic, bastion bas-app
 * - rg-hub:   vnet-hub (AzureBastionSubnet), bastion bas-hub
 * - rg-spoke: vnet-spoke peered with vnet-hub, db01 ← db01-nic
 * - rg-dev:   vnet-dev (snet-vms), nothing else yet
 */
const SUB = 'sub-iam';
const PASSWORD = 'Iam-Test-Pass-123';
const rgId = (rg: string) => `/subscriptions/${SUB}/resourceGroups/${rg}`;
const ID = {
  rgApp: rgId('rg-app'),
  rgDev: rgId('rg-dev'),
  web01: `${rgId('rg-app')}/providers/Microsoft.Compute/virtualMachines/web01`,
  web01Nic: `${rgId('rg-app')}/providers/Microsoft.Network/networkInterfaces/web01-nic`,
  web02: `${rgId('rg-app')}/providers/Microsoft.Compute/virtualMachines/web02`,
  web02Nic: `${rgId('rg-app')}/providers/Microsoft.Network/networkInterfaces/web02-nic`,
  basApp: `${rgId('rg-app')}/providers/Microsoft.Network/bastionHosts/bas-app`,
  basHub: `${rgId('rg-hub')}/providers/Microsoft.Network/bastionHosts/bas-hub`,
  vnetSpoke: `${rgId('rg-spoke')}/providers/Microsoft.Network/virtualNetworks/vnet-spoke`,
  vnetDev: `${rgId('rg-dev')}/providers/Microsoft.Network/virtualNetworks/vnet-dev`,
  db01: `${rgId('rg-spoke')}/providers/Microsoft.Compute/virtualMachines/db01`,
  db01Nic: `${rgId('rg-spoke')}/providers/Microsoft.Network/networkInterfaces/db01-nic`,
  dev01: `${rgId('rg-dev')}/providers/Microsoft.Compute/virtualMachines/dev01`,
  devNic: `${rgId('rg-dev')}/providers/Microsoft.Network/networkInterfaces/dev01-nic`,
};

let b: TestBastion;
let admin: Session;
let alice: Session;
let bob: Session;
let carol: Session;

interface Assignment { id: string; principalType: string; principalName: string; roleDefinitionName: string; scope: string; inherited: boolean }
interface Connect { allowed: boolean; bastionHostId: string | null; viaPeering: boolean; missing: Array<{ role: string; resourceId: string; resourceType: string; action: string; message: string }> }
interface AuditEvent { type: string; actor: string | null; target: string | null; outcome: string; details: Record<string, unknown> }

const errorOf = (res: LightMyRequestResponse) => (res.json() as { error: { code: string; message: string; statusCode: number } }).error;
const expectError = (res: LightMyRequestResponse, status: number, code: string, ...fragments: string[]): void => {
  expect({ status: res.statusCode, code: errorOf(res).code }, res.body).toEqual({ status, code });
  for (const f of fragments) expect(errorOf(res).message).toContain(f);
};
const call = (s: Session, opts: InjectOptions) => as(b.app, s, opts);
const get = (s: Session, id: string) => call(s, { url: `/api${id}` });
const assign = (s: Session, assignee: string, role: string, scope: string, assigneeType?: 'user' | 'group') =>
  call(s, { method: 'POST', url: '/api/roleAssignments', payload: { assignee, role, scope, ...(assigneeType ? { assigneeType } : {}) } });
/** The administrator assigns; the answer must be 201. */
const grant = async (assignee: string, role: string, scope: string, assigneeType?: 'user' | 'group'): Promise<Assignment> => {
  const res = await assign(admin, assignee, role, scope, assigneeType);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Assignment;
};
const connect = async (s: Session, vmId: string): Promise<Connect> => {
  const res = await call(s, { url: `/api${vmId}/bastionConnectCheck` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Connect;
};
const vmNames = async (s: Session, url: string): Promise<string[]> => {
  const res = await call(s, { url });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { value: Array<{ name: string }> }).value.map((v) => v.name).sort();
};
const permissionsOf = async (s: Session) => ((await call(s, { url: '/api/auth/me' })).json() as { user: { isAdmin: boolean; permissions: Record<string, boolean> } }).user;
const audit = async (type: string): Promise<AuditEvent[]> => ((await call(admin, { url: `/api/audit?type=${type}&limit=1000` })).json() as { value: AuditEvent[] }).value;

beforeAll(async () => {
  const nic = (name: string, virtualNetwork: string, privateIpAddress: string) => ({ name, virtualNetwork, subnet: 'snet-vms', privateIpAddress });
  b = await createTestBastion({
    inventory: {
      subscription: { id: SUB },
      resourceGroups: ['rg-app', 'rg-hub', 'rg-spoke', 'rg-dev'].map((name) => ({ name })),
      virtualNetworks: [
        { name: 'vnet-app', resourceGroup: 'rg-app', addressSpace: ['10.1.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.1.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.1.1.0/24' }] },
        { name: 'vnet-hub', resourceGroup: 'rg-hub', addressSpace: ['10.0.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.0.0.0/26' }] },
        { name: 'vnet-spoke', resourceGroup: 'rg-spoke', addressSpace: ['10.2.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.2.1.0/24' }], peerings: ['vnet-hub'] },
        { name: 'vnet-dev', resourceGroup: 'rg-dev', addressSpace: ['10.5.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.5.1.0/24' }] },
      ],
      virtualMachines: [
        { name: 'web01', resourceGroup: 'rg-app', osType: 'linux', nics: [nic('web01-nic', 'vnet-app', '10.1.1.4')] },
        { name: 'web02', resourceGroup: 'rg-app', osType: 'linux', nics: [nic('web02-nic', 'vnet-app', '10.1.1.5')] },
        { name: 'db01', resourceGroup: 'rg-spoke', osType: 'linux', nics: [nic('db01-nic', 'vnet-spoke', '10.2.1.4')] },
      ],
      bastionHosts: [
        { name: 'bas-app', resourceGroup: 'rg-app', virtualNetwork: 'vnet-app' },
        { name: 'bas-hub', resourceGroup: 'rg-hub', virtualNetwork: 'vnet-hub' },
      ],
    },
  });
  admin = await signInAsReadyAdmin(b);
});
afterAll(async () => {
  await b?.dispose();
});

describe('users, groups and what the portal shows them', () => {
  it('the administrator creates alice, bob, carol and group ops (alice in it); only the administrator may manage', async () => {
    for (const username of ['alice', 'bob', 'carol']) expect((await call(admin, { method: 'POST', url: '/api/users', payload: { username, password: PASSWORD } })).statusCode).toBe(201);
    expect((await call(admin, { method: 'POST', url: '/api/groups', payload: { name: 'ops' } })).statusCode).toBe(201);
    expect((await call(admin, { method: 'PUT', url: '/api/groups/ops/members/alice' })).statusCode).toBe(204);
    alice = await signIn(b.app, 'alice', PASSWORD);
    bob = await signIn(b.app, 'bob', PASSWORD);
    carol = await signIn(b.app, 'carol', PASSWORD);

    expect(await permissionsOf(admin)).toMatchObject({ isAdmin: true, permissions: { manageAccess: true, manageIdentity: true, readAudit: true } });
    expect(await permissionsOf(alice)).toMatchObject({ isAdmin: false, groups: ['ops'], permissions: { manageAccess: false, manageIdentity: false, readAudit: false } });
    // No assignment yet: alice sees nothing at all.
    expectError(await call(alice, { url: `/api/subscriptions/${SUB}/providers/Microsoft.Compute/virtualMachines` }), 403, 'BST_ERR_FORBIDDEN');
  });
});

describe('the Connect check', () => {
  it('with Reader on the VM and the bastion but not on the NIC, names the NIC; the VM list shows only that VM', async () => {
    expect(await grant('alice', 'Reader', ID.web01)).toMatchObject({ principalType: 'user', principalName: 'alice', roleDefinitionName: 'Reader', scope: ID.web01, inherited: false });
    await grant('alice', 'Reader', ID.basApp);
    const check = await connect(alice, ID.web01);
    expect(check).toMatchObject({ allowed: false, bastionHostId: ID.basApp });
    expect(check.missing).toEqual([expect.objectContaining({ role: 'Reader', resourceId: ID.web01Nic, resourceType: 'Microsoft.Network/networkInterfaces', action: 'Microsoft.Network/networkInterfaces/read' })]);
    expect(check.missing[0]!.message).toBe('You need Reader on networkInterfaces/web01-nic');

    expect(await vmNames(alice, `/api/subscriptions/${SUB}/providers/Microsoft.Compute/virtualMachines`)).toEqual(['web01']);
    expect(await vmNames(alice, `/api${ID.rgApp}/providers/Microsoft.Compute/virtualMachines`)).toEqual(['web01']);
    expectError(await get(alice, ID.web02), 403, 'BST_ERR_FORBIDDEN', 'Microsoft.Compute/virtualMachines/read', 'virtualMachines/web02');
    expectError(await get(alice, ID.web01Nic), 403, 'BST_ERR_FORBIDDEN');

    await grant('alice', 'Reader', ID.web01Nic);
    expect(await connect(alice, ID.web01)).toEqual({ allowed: true, bastionHostId: ID.basApp, viaPeering: false, missing: [], reason: expect.stringContaining('bas-app') });
  });

  it('through a group alice is in, and through a peered hub, where the spoke network is needed too', async () => {
    expectError(await call(alice, { url: `/api${ID.db01}/bastionConnectCheck` }), 403, 'BST_ERR_FORBIDDEN', 'virtualMachines/db01');
    expect(await grant('ops', 'Reader', ID.db01, 'group')).toMatchObject({ principalType: 'group', principalName: 'ops' });
    await grant('ops', 'Reader', ID.db01Nic, 'group');
    await grant('ops', 'Reader', ID.basHub, 'group');
    const check = await connect(alice, ID.db01);
    expect(check).toMatchObject({ allowed: false, bastionHostId: ID.basHub, viaPeering: true });
    expect(check.missing.map((m) => [m.resourceId, m.message])).toEqual([[ID.vnetSpoke, 'You need Reader on virtualNetworks/vnet-spoke']]);

    await grant('ops', 'Reader', ID.vnetSpoke, 'group');
    expect(await connect(alice, ID.db01)).toMatchObject({ allowed: true, bastionHostId: ID.basHub, viaPeering: true, missing: [] });
    // bob is not in ops: the group's assignments give him nothing.
    expectError(await call(bob, { url: `/api${ID.db01}/bastionConnectCheck` }), 403, 'BST_ERR_FORBIDDEN');
    // Leaving the group takes its roles away at once.
    expect((await call(admin, { method: 'DELETE', url: '/api/groups/ops/members/alice' })).statusCode).toBe(204);
    expectError(await get(alice, ID.db01), 403, 'BST_ERR_FORBIDDEN');
  });
});

describe('who may assign roles', () => {
  it('a Contributor at a resource group builds a VM there, nowhere else, and cannot assign roles', async () => {
    await grant('bob', 'Contributor', ID.rgDev);
    const nic = await call(bob, { method: 'PUT', url: `/api${ID.devNic}`, payload: { properties: { ipConfigurations: [{ properties: { privateIPAddress: '10.5.1.4', subnet: { id: `${ID.vnetDev}/subnets/snet-vms` } } }] } } });
    expect(nic.statusCode, nic.body).toBe(200);
    const vm = await call(bob, { method: 'PUT', url: `/api${ID.dev01}`, payload: { properties: { osType: 'linux', networkProfile: { networkInterfaces: [{ id: ID.devNic }] } } } });
    expect(vm.statusCode, vm.body).toBe(200);
    expect(vm.json()).toMatchObject({ id: ID.dev01, properties: { privateIPAddress: '10.5.1.4' } });
    expectError(await call(bob, { method: 'PUT', url: `/api${ID.rgApp}/providers/Microsoft.Compute/virtualMachines/bob01`, payload: {} }), 403, 'BST_ERR_FORBIDDEN', 'Microsoft.Compute/virtualMachines/write');

    expectError(await assign(bob, 'alice', 'Reader', ID.rgDev), 403, 'BST_ERR_FORBIDDEN', 'Microsoft.Authorization/roleAssignments/write');
    expectError(await call(bob, { url: '/api/principals' }), 403, 'BST_ERR_FORBIDDEN');
    expect((await permissionsOf(bob)).permissions).toEqual({ manageAccess: false, manageIdentity: false, readAudit: false, viewSessions: true, readRecordings: true });
    expectError(await get(alice, ID.dev01), 403, 'BST_ERR_FORBIDDEN');
  });

  it('a User Access Administrator assigns roles, only within its scope', async () => {
    await grant('bob', 'User Access Administrator', ID.rgDev);
    const made = await assign(bob, 'alice', 'Reader', ID.rgDev);
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ principalName: 'alice', roleDefinitionName: 'Reader', scope: ID.rgDev });
    expect((await get(alice, ID.dev01)).statusCode).toBe(200);
    expectError(await assign(bob, 'alice', 'Reader', ID.rgApp), 403, 'BST_ERR_FORBIDDEN', 'resourceGroups/rg-app');
    expect((await permissionsOf(bob)).permissions).toEqual({ manageAccess: true, manageIdentity: false, readAudit: false, viewSessions: true, readRecordings: true });
    const principals = (await call(bob, { url: '/api/principals' })).json() as { value: Array<{ type: string; name: string }> };
    expect(principals.value).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'user', name: 'alice' }), expect.objectContaining({ type: 'group', name: 'ops' })]));
  });
});

describe('custom roles', () => {
  it('a custom role is created, assignable by ID and grants exactly its actions (carol holds only this role)', async () => {
    const created = await call(admin, {
      method: 'POST',
      url: '/api/roleDefinitions',
      payload: { name: 'VM Viewer', description: 'Reads virtual machines only.', actions: ['Microsoft.Compute/virtualMachines/read'], assignableScopes: [`/subscriptions/${SUB}`] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const role = created.json() as { id: string };
    expect(role).toMatchObject({ name: 'VM Viewer', builtIn: false, actions: ['Microsoft.Compute/virtualMachines/read'], notActions: [], assignableScopes: [`/subscriptions/${SUB}`] });
    const list = (await call(admin, { url: '/api/roleDefinitions' })).json() as { value: Array<{ name: string; builtIn: boolean }> };
    expect(list.value.map((r) => [r.name, r.builtIn])).toEqual([['Owner', true], ['Contributor', true], ['Reader', true], ['User Access Administrator', true], ['Key Vault Administrator', true], ['Key Vault Secrets User', true], ['Key Vault Reader', true], ['VM Viewer', false]]);

    expect(await grant('carol', role.id, ID.rgApp)).toMatchObject({ roleDefinitionName: 'VM Viewer', scope: ID.rgApp });
    expect((await get(carol, ID.web02)).statusCode).toBe(200);
    // Lists are gated on "*/read somewhere": a role that grants one read action passes that gate.
    expect((await call(carol, { url: '/api/subscriptions' })).statusCode).toBe(200);
    expect(await vmNames(carol, `/api/subscriptions/${SUB}/providers/Microsoft.Compute/virtualMachines`)).toEqual(['web01', 'web02']);
    expect(await vmNames(carol, `/api${ID.rgApp}/providers/Microsoft.Compute/virtualMachines`)).toEqual(['web01', 'web02']);
    expect(await vmNames(carol, `/api/subscriptions/${SUB}/providers/Microsoft.Network/networkInterfaces`)).toEqual([]);
    expectError(await get(carol, ID.web02Nic), 403, 'BST_ERR_FORBIDDEN', 'Microsoft.Network/networkInterfaces/read');
    expectError(await call(carol, { method: 'DELETE', url: `/api${ID.web02}` }), 403, 'BST_ERR_FORBIDDEN', 'Microsoft.Compute/virtualMachines/delete');
    expectError(await get(carol, ID.dev01), 403, 'BST_ERR_FORBIDDEN');
    // Not assignable above its assignable scopes, and not deletable while assigned.
    expectError(await assign(admin, 'alice', 'VM Viewer', '/'), 400, 'BST_ERR_VALIDATION', 'assignableScopes');
    expectError(await call(admin, { method: 'DELETE', url: `/api/roleDefinitions/${role.id}` }), 409, 'BST_ERR_CONFLICT', 'still assigned');
  });
});

describe('assignments that are refused', () => {
  it('answers a duplicate with 409 and an unknown role, a bad scope or an unknown assignee with 400', async () => {
    expectError(await assign(admin, 'alice', 'Reader', ID.web01), 409, 'BST_ERR_CONFLICT', 'already has role Reader');
    expectError(await assign(admin, 'alice', 'reader', ID.web01.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')), 409, 'BST_ERR_CONFLICT');
    expectError(await assign(admin, 'alice', 'Superuser', ID.web01), 400, 'BST_ERR_VALIDATION', 'Superuser');
    expectError(await assign(admin, 'alice', 'Reader', 'not-a-scope'), 400, 'BST_ERR_VALIDATION', 'scope');
    expectError(await assign(admin, 'alice', 'Reader', `/subscriptions/${SUB}/resourceGroups/bad name!`), 400, 'BST_ERR_VALIDATION', 'scope', 'bad name!');
    expectError(await assign(admin, 'nobody-known', 'Reader', ID.web01), 400, 'BST_ERR_VALIDATION', 'nobody-known');
    expectError(await assign(admin, 'alice', 'Reader', ID.web01, 'group'), 400, 'BST_ERR_VALIDATION', 'group');
  });
});

describe('the audit trail', () => {
  it('records assignments created and deleted (actor, scope, role) and every refusal (access.denied)', async () => {
    const listed = await call(admin, { url: `/api/roleAssignments?scope=${encodeURIComponent(ID.web01Nic)}&assignee=alice` });
    const [nicReader] = (listed.json() as { value: Assignment[] }).value;
    expect(nicReader).toMatchObject({ principalName: 'alice', roleDefinitionName: 'Reader', scope: ID.web01Nic });
    expect((await call(admin, { method: 'DELETE', url: `/api/roleAssignments/${nicReader!.id}` })).statusCode).toBe(204);
    expect((await connect(alice, ID.web01)).missing.map((m) => m.message)).toEqual(['You need Reader on networkInterfaces/web01-nic']);

    const created = await audit('rbac.assignment.created');
    expect(created).toContainEqual(expect.objectContaining({ actor: 'admin', outcome: 'success', target: ID.web01, details: expect.objectContaining({ role: 'Reader', principal: 'alice', principalType: 'user', scope: ID.web01 }) }));
    expect(created).toContainEqual(expect.objectContaining({ actor: 'admin', target: ID.db01, details: expect.objectContaining({ role: 'Reader', principal: 'ops', principalType: 'group' }) }));
    expect(created).toContainEqual(expect.objectContaining({ actor: 'bob', target: ID.rgDev, details: expect.objectContaining({ role: 'Reader', principal: 'alice' }) }));
    expect(created).toContainEqual(expect.objectContaining({ actor: 'admin', target: ID.rgApp, details: expect.objectContaining({ role: 'VM Viewer', principal: 'carol' }) }));
    const deleted = await audit('rbac.assignment.deleted');
    expect(deleted).toEqual([expect.objectContaining({ actor: 'admin', outcome: 'success', target: ID.web01Nic, details: expect.objectContaining({ role: 'Reader', principal: 'alice', assignmentId: nicReader!.id }) })]);

    const denied = await audit('access.denied');
    const deniedAs = (actor: string, target: string, action?: string) =>
      expect(denied, `${actor} on ${target}`).toContainEqual(expect.objectContaining({ actor, target, outcome: 'denied', ...(action ? { details: expect.objectContaining({ action }) } : {}) }));
    deniedAs('alice', ID.web02, 'Microsoft.Compute/virtualMachines/read');
    deniedAs('bob', '/', 'Microsoft.Authorization/roleAssignments/write');
    deniedAs('bob', ID.rgApp, 'Microsoft.Authorization/roleAssignments/write');
    deniedAs('carol', ID.web02Nic, 'Microsoft.Network/networkInterfaces/read');
    deniedAs('alice', ID.web01); // the Connect check that came back negative
    // The trail itself is for those who may read it.
    expectError(await call(alice, { url: '/api/audit' }), 403, 'BST_ERR_FORBIDDEN');
    expect((await permissionsOf(alice)).permissions).toEqual({ manageAccess: false, manageIdentity: false, readAudit: false, viewSessions: false, readRecordings: false });
  });
});
