import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, TENANT_SCOPE } from './actions.js';
import { CONTRIBUTOR, OWNER, READER, USER_ACCESS_ADMINISTRATOR } from './builtin-roles.js';
import { createRbacTestbed, IDS, type RbacTestbed } from './test-app.js';
import type { Principal } from './types.js';

/**
 * checkAccess in the Azure model: each built-in role × scope level × resource, read and write; then the
 * group path, notActions, a custom wildcard role, a sibling resource group, and the tenant-level actions.
 */
let t: RbacTestbed;
beforeAll(async () => {
  t = await createRbacTestbed();
});
afterAll(async () => {
  await t?.dispose();
});

const TARGETS = {
  VM: { id: IDS.web01, verbs: ACTIONS.virtualMachines },
  NIC: { id: IDS.web01Nic, verbs: ACTIONS.networkInterfaces },
  bastion: { id: IDS.basApp, verbs: ACTIONS.bastionHosts },
  network: { id: IDS.vnetApp, verbs: ACTIONS.virtualNetworks },
} as const;
type TargetName = keyof typeof TARGETS;
const ROLES = [OWNER, CONTRIBUTOR, READER, USER_ACCESS_ADMINISTRATOR];
const CAN_WRITE = new Set([OWNER.name, CONTRIBUTOR.name]);
const LEVELS = ['subscription', 'resource group', 'resource'] as const;
const scopeFor = (level: (typeof LEVELS)[number], target: TargetName): string =>
  level === 'subscription' ? IDS.subscription : level === 'resource group' ? IDS.rgApp : TARGETS[target].id;

const ROWS = ROLES.flatMap((role) =>
  LEVELS.flatMap((level) =>
    (Object.keys(TARGETS) as TargetName[]).map((target) => ({ role: role.name, level, target, read: true, write: CAN_WRITE.has(role.name) })),
  ),
);

describe('built-in role × scope level × resource (read and write)', () => {
  const principals = new Map<string, Principal>();
  const key = (r: { role: string; level: string; target: string }) => `${r.role}|${r.level}|${r.target}`;
  beforeAll(async () => {
    for (const row of ROWS) {
      const p = await t.newUser();
      await t.assign(p.userId, row.role, scopeFor(row.level, row.target));
      principals.set(key(row), p);
    }
  });

  it('has one row per role, level and resource', () => {
    expect(ROWS).toHaveLength(4 * 3 * 4);
  });

  it.each(ROWS)('$role at $level on $target: read=$read write=$write', async (row) => {
    const p = principals.get(key(row))!;
    const { id, verbs } = TARGETS[row.target];
    const read = await t.checker.checkAccess(p, verbs.read, id);
    expect(read.allowed, read.reason).toBe(row.read);
    expect(read.reason).toContain(`role ${row.role}`);
    const write = await t.checker.checkAccess(p, verbs.write, id);
    expect(write.allowed, write.reason).toBe(row.write);
    const del = await t.checker.checkAccess(p, verbs.delete, id);
    expect(del.allowed, del.reason).toBe(row.write);
    if (row.level === 'resource') {
      // An assignment on one resource says nothing about its neighbours or its group.
      for (const [other, o] of Object.entries(TARGETS)) if (other !== row.target) expect((await t.checker.checkAccess(p, o.verbs.read, o.id)).allowed).toBe(false);
      expect((await t.checker.checkAccess(p, ACTIONS.resourceGroups.read, IDS.rgApp)).allowed).toBe(false);
    }
    // Nothing in rg-app reaches rg-other; a subscription-wide role does.
    expect((await t.checker.checkAccess(p, ACTIONS.virtualMachines.read, IDS.other01)).allowed).toBe(row.level === 'subscription');
  });
});

describe('principals and scopes', () => {
  it('a role assigned to a group applies to its members only', async () => {
    const ops = await t.newGroup();
    await t.assign(ops, 'Reader', IDS.rgApp, 'group');
    const member = await t.newUser([ops]);
    const outsider = await t.newUser();
    const yes = await t.checker.checkAccess(member, ACTIONS.virtualMachines.read, IDS.web01);
    expect(yes).toEqual({ allowed: true, reason: `Allowed: role Reader assigned to group ${ops} at ${IDS.rgApp} grants ${ACTIONS.virtualMachines.read}.` });
    expect((await t.checker.checkAccess(outsider, ACTIONS.virtualMachines.read, IDS.web01)).allowed).toBe(false);
    expect((await t.checker.checkAccess(member, ACTIONS.virtualMachines.write, IDS.web01)).allowed).toBe(false);
  });

  it('an assignment at a sibling resource group grants nothing here', async () => {
    const p = await t.newUser();
    await t.assign(p.userId, 'Owner', IDS.rgOther);
    const d = await t.checker.checkAccess(p, ACTIONS.virtualMachines.read, IDS.web01);
    expect(d.allowed).toBe(false);
    expect(d.reason).toBe(`Denied: no role assignment of the user or their groups grants ${ACTIONS.virtualMachines.read} on ${IDS.web01} or a scope above it.`);
    expect((await t.checker.checkAccess(p, ACTIONS.virtualMachines.delete, IDS.other01)).allowed).toBe(true);
  });

  it('compares scopes and actions case-insensitively', async () => {
    const p = await t.newUser();
    await t.assign(p.userId, 'reader', IDS.rgApp.toUpperCase().replace('/SUBSCRIPTIONS/SUB-RBAC', '/subscriptions/sub-rbac'));
    expect((await t.checker.checkAccess(p, 'MICROSOFT.COMPUTE/VIRTUALMACHINES/READ', IDS.web01.toLowerCase())).allowed).toBe(true);
  });

  it('a user with no assignment is denied everything, with a reason', async () => {
    const p = await t.newUser();
    for (const { id, verbs } of Object.values(TARGETS)) expect((await t.checker.checkAccess(p, verbs.read, id)).allowed).toBe(false);
  });

  it('denies unknown actions and unparsable resource IDs rather than guessing', async () => {
    const p = await t.newUser();
    await t.assign(p.userId, 'Owner', TENANT_SCOPE);
    expect(await t.checker.checkAccess(p, 'Microsoft.Compute/virtualMachine/read', IDS.web01)).toMatchObject({ allowed: false, reason: expect.stringMatching(/not an action in the catalogue/) });
    expect(await t.checker.checkAccess(p, ACTIONS.virtualMachines.read, '/nope')).toMatchObject({ allowed: false, reason: expect.stringMatching(/^Denied: Invalid resource ID/) });
  });
});

describe('notActions and custom roles', () => {
  it('Contributor cannot write or delete role assignments (notActions), but can read them', async () => {
    const p = await t.newUser();
    await t.assign(p.userId, 'Contributor', IDS.subscription);
    const w = await t.checker.checkAccess(p, ACTIONS.roleAssignments.write, IDS.rgApp);
    expect(w.allowed).toBe(false);
    expect(w.reason).toContain(`role Contributor at ${IDS.subscription} excludes it (notActions "Microsoft.Authorization/*/Write")`);
    expect((await t.checker.checkAccess(p, ACTIONS.roleAssignments.delete, IDS.web01)).allowed).toBe(false);
    expect((await t.checker.checkAccess(p, ACTIONS.roleAssignments.read, IDS.web01)).allowed).toBe(true);
    // notActions subtract within a role, not across roles: adding User Access Administrator restores it.
    await t.assign(p.userId, 'User Access Administrator', IDS.rgApp);
    expect((await t.checker.checkAccess(p, ACTIONS.roleAssignments.write, IDS.web01)).allowed).toBe(true);
    expect((await t.checker.checkAccess(p, ACTIONS.roleAssignments.write, IDS.other01)).allowed).toBe(false);
  });

  it('a custom role with a wildcard action grants exactly what it matches', async () => {
    const role = await t.roles.createRoleDefinition({
      name: 'Bastion Operator',
      actions: ['Microsoft.Network/bastionHosts/*', '*/read'],
      notActions: ['Microsoft.Network/bastionHosts/delete'],
      assignableScopes: [IDS.rgApp],
    });
    const p = await t.newUser();
    await t.assign(p.userId, role.id, IDS.rgApp);
    const can = (action: string, id: string) => t.checker.checkAccess(p, action, id).then((d) => d.allowed);
    expect(await can(ACTIONS.bastionHosts.write, IDS.basApp)).toBe(true);
    expect(await can(ACTIONS.bastionHosts.delete, IDS.basApp)).toBe(false);
    expect(await can(ACTIONS.networkInterfaces.read, IDS.web01Nic)).toBe(true);
    expect(await can(ACTIONS.virtualMachines.write, IDS.web01)).toBe(false);
    expect(await can(ACTIONS.bastionHosts.write, IDS.basHub)).toBe(false);
  });
});

describe('tenant-level actions (identity, audit)', () => {
  it.each([
    ['Owner', ACTIONS.users.write, true],
    ['Contributor', ACTIONS.users.write, false],
    ['Contributor', ACTIONS.groups.delete, false],
    ['Contributor', ACTIONS.auditEvents.read, true],
    ['Reader', ACTIONS.users.read, true],
    ['Reader', ACTIONS.users.write, false],
    ['User Access Administrator', ACTIONS.roleDefinitions.write, true],
    ['User Access Administrator', ACTIONS.users.write, false],
  ])('%s at / → %s: %s', async (role, action, expected) => {
    const p = await t.newUser();
    await t.assign(p.userId, role, TENANT_SCOPE);
    expect((await t.checker.checkAccess(p, action, TENANT_SCOPE)).allowed).toBe(expected);
    // The root contains every subscription.
    expect((await t.checker.checkAccess(p, ACTIONS.virtualMachines.read, IDS.web01)).allowed).toBe(true);
  });

  it('a subscription-level Owner does not own the tenant', async () => {
    const p = await t.newUser();
    await t.assign(p.userId, 'Owner', IDS.subscription);
    expect((await t.checker.checkAccess(p, ACTIONS.users.write, TENANT_SCOPE)).reason).toMatch(/on the tenant \(\/\)/);
  });
});
