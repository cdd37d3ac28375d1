import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BastionError, type ErrorCode } from '../errors.js';
import { CONTRIBUTOR, OWNER, READER, USER_ACCESS_ADMINISTRATOR } from './builtin-roles.js';
import { createRbacTestbed, IDS, type RbacTestbed } from './test-app.js';

/** Role definitions and assignments in SQLite: what is stored, and each refusal with its code. */
let t: RbacTestbed;
beforeAll(async () => {
  t = await createRbacTestbed({ inventory: false });
});
afterAll(async () => {
  await t?.dispose();
});

const refuses = async (p: Promise<unknown>, code: ErrorCode, status: number, fragment: string | RegExp): Promise<void> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BastionError);
  expect({ code: (err as BastionError).code, status: (err as BastionError).statusCode }).toEqual({ code, status });
  expect((err as BastionError).message).toMatch(fragment);
};
const custom = (name: string, extra: Partial<{ actions: string[]; notActions: string[]; assignableScopes: string[] }> = {}) =>
  t.roles.createRoleDefinition({ name, actions: ['*/read'], assignableScopes: [IDS.rgApp], ...extra });

describe('role definitions', () => {
  it('lists the built-ins with Azure GUIDs first', async () => {
    const roles = await t.roles.listRoleDefinitions();
    expect(roles.slice(0, 4).map((r) => [r.name, r.id, r.roleType, r.assignableScopes])).toEqual([
      ['Owner', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'BuiltInRole', ['/']],
      ['Contributor', 'b24988ac-6180-42a0-ab88-20f7382dd24c', 'BuiltInRole', ['/']],
      ['Reader', 'acdd72a7-3385-48ef-bd42-f606fba81ae7', 'BuiltInRole', ['/']],
      ['User Access Administrator', '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9', 'BuiltInRole', ['/']],
    ]);
    expect([OWNER, CONTRIBUTOR, READER, USER_ACCESS_ADMINISTRATOR].every((r) => Object.isFrozen(r) && Object.isFrozen(r.actions))).toBe(true);
  });

  it('stores a custom role with canonical scopes and finds it by name or ID, case-insensitively', async () => {
    const role = await custom('VM Operator', { actions: ['Microsoft.Compute/virtualMachines/*'], notActions: ['Microsoft.Compute/virtualMachines/delete'], assignableScopes: [IDS.rgApp.toLowerCase().replace('resourcegroups', 'RESOURCEGROUPS')] });
    expect(role).toMatchObject({ name: 'VM Operator', roleType: 'CustomRole', description: '', assignableScopes: [IDS.rgApp] });
    expect(await t.roles.findRoleDefinition('vm operator')).toEqual(role);
    expect(await t.roles.findRoleDefinition(role.id.toUpperCase())).toEqual(role);
    expect((await t.roles.listRoleDefinitions()).map((r) => r.name)).toContain('VM Operator');
  });

  it('refuses a custom role named like a built-in (409) or like another custom role (409)', async () => {
    await refuses(custom('reader'), 'BST_ERR_CONFLICT', 409, /built-in role/);
    await custom('Dup Role');
    await refuses(custom('DUP ROLE'), 'BST_ERR_CONFLICT', 409, /already exists/);
    await refuses(t.roles.createRoleDefinition({ name: 'Sneaky', actions: ['*'], assignableScopes: ['/'] }, { id: OWNER.id }), 'BST_ERR_CONFLICT', 409, /built-in/);
  });

  it('validates names, actions and scopes (400, naming the field)', async () => {
    await refuses(custom(''), 'BST_ERR_VALIDATION', 400, /name is required/);
    await refuses(custom(READER.id.replace('a', 'b')), 'BST_ERR_VALIDATION', 400, /looks like a role definition ID/);
    await refuses(custom('Typo', { actions: ['Microsoft.Compute/virtualMachine/read'] }), 'BST_ERR_VALIDATION', 400, /^actions\[0\] "Microsoft.Compute\/virtualMachine\/read" matches no known action/);
    await refuses(custom('Typo2', { notActions: ['nope/*'] }), 'BST_ERR_VALIDATION', 400, /^notActions\[0\]/);
    await refuses(custom('Empty', { actions: [] }), 'BST_ERR_VALIDATION', 400, /at least one action/);
    await refuses(custom('Bad scope', { assignableScopes: ['/subscriptions/s1/resourceGroups'] }), 'BST_ERR_VALIDATION', 400, /^assignableScopes\[0\]: Invalid resource ID/);
    await refuses(custom('No scope', { assignableScopes: [] }), 'BST_ERR_VALIDATION', 400, /assignableScopes must list/);
  });

  it('built-in roles cannot be changed or deleted; an assigned custom role cannot be deleted or narrowed', async () => {
    await refuses(t.roles.deleteRoleDefinition(READER.id), 'BST_ERR_VALIDATION', 400, /built-in role/);
    await refuses(t.roles.updateRoleDefinition(OWNER.id, { name: 'Owner', actions: ['*'], assignableScopes: ['/'] }), 'BST_ERR_VALIDATION', 400, /built-in role/);
    await refuses(t.roles.deleteRoleDefinition('00000000-0000-0000-0000-000000000000'), 'BST_ERR_NOT_FOUND', 404, /not found/);
    const role = await custom('Scoped', { assignableScopes: [IDS.subscription] });
    const user = await t.newUser();
    const a = await t.assign(user.userId, role.id, IDS.rgApp);
    await refuses(t.roles.updateRoleDefinition(role.id, { name: 'Scoped', actions: ['*/read'], assignableScopes: [IDS.rgOther] }), 'BST_ERR_CONFLICT', 409, /assigned at/);
    const renamed = await t.roles.updateRoleDefinition(role.id, { name: 'Scoped Reader', actions: ['*/read'], assignableScopes: [IDS.rgApp] });
    expect(await t.roles.findRoleDefinition('scoped reader')).toEqual({ ...renamed, updatedAt: expect.any(String) });
    await refuses(t.roles.deleteRoleDefinition(role.id), 'BST_ERR_CONFLICT', 409, /still assigned/);
    await t.roles.deleteRoleAssignment(a.id);
    expect((await t.roles.deleteRoleDefinition(role.id)).name).toBe('Scoped Reader');
    expect(await t.roles.findRoleDefinition(role.id)).toBeUndefined();
  });
});

describe('role assignments', () => {
  it('stores the canonical scope, the role ID and who made it', async () => {
    const user = await t.newUser();
    const admin = await t.newUser();
    const a = await t.roles.createRoleAssignment({ principalType: 'user', principalId: user.userId, role: 'reader', scope: IDS.web01.toLowerCase(), createdBy: admin.userId });
    expect(a).toMatchObject({ principalType: 'user', principalId: user.userId, roleDefinitionId: READER.id, createdBy: admin.userId });
    expect(a.scope).toBe('/subscriptions/sub-rbac/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/web01');
    expect(await t.roles.getRoleAssignment(a.id)).toEqual(a);
    expect(await t.roles.assignmentsOf(user)).toEqual([a]);
  });

  it('refuses unknown roles, unparsable scopes, scopes outside assignableScopes and unknown principals (400)', async () => {
    const user = await t.newUser();
    const input = { principalType: 'user' as const, principalId: user.userId, role: 'Reader', scope: IDS.rgApp };
    await refuses(t.roles.createRoleAssignment({ ...input, role: 'Superuser' }), 'BST_ERR_VALIDATION', 400, /"Superuser" is not a known role/);
    await refuses(t.roles.createRoleAssignment({ ...input, scope: '/subscriptions/sub-rbac/resourceGroups/rg app' }), 'BST_ERR_VALIDATION', 400, /^scope: Invalid resource ID/);
    await refuses(t.roles.createRoleAssignment({ ...input, scope: 'rg-app' }), 'BST_ERR_VALIDATION', 400, /^scope: Invalid resource ID/);
    const narrow = await custom('Narrow');
    await refuses(t.roles.createRoleAssignment({ ...input, role: narrow.id, scope: IDS.subscription }), 'BST_ERR_VALIDATION', 400, /cannot be assigned at \/subscriptions\/sub-rbac: its assignableScopes are/);
    await refuses(t.roles.createRoleAssignment({ ...input, role: narrow.id, scope: IDS.rgOther }), 'BST_ERR_VALIDATION', 400, /cannot be assigned/);
    expect((await t.roles.createRoleAssignment({ ...input, role: narrow.id, scope: IDS.web01 })).scope).toBe(IDS.web01);
    await refuses(t.roles.createRoleAssignment({ ...input, principalId: 'nobody' }), 'BST_ERR_VALIDATION', 400, /not a known user/);
    await refuses(t.roles.createRoleAssignment({ ...input, principalType: 'group' }), 'BST_ERR_VALIDATION', 400, /not a known group/);
    await refuses(t.roles.createRoleAssignment({ ...input, principalType: 'robot' as 'user' }), 'BST_ERR_VALIDATION', 400, /principalType/);
  });

  it('refuses a duplicate (409), whatever the casing of the scope or role', async () => {
    const user = await t.newUser();
    await t.assign(user.userId, 'Contributor', IDS.rgApp);
    await refuses(t.assign(user.userId, CONTRIBUTOR.id.toUpperCase(), IDS.rgApp.toLowerCase()), 'BST_ERR_CONFLICT', 409, /already has role Contributor/);
    const group = await t.newGroup();
    // The same role and scope for a group, or another role, is a different assignment.
    await t.assign(group, 'Contributor', IDS.rgApp, 'group');
    await t.assign(user.userId, 'Reader', IDS.rgApp);
  });

  it('lists at a scope, with or without what is inherited from above, and by principal', async () => {
    const ops = await t.newGroup();
    const user = await t.newUser([ops]);
    const atRoot = await t.assign(user.userId, 'Reader', '/');
    const atSub = await t.assign(ops, 'Reader', IDS.subscription, 'group');
    const atVm = await t.assign(user.userId, 'Owner', IDS.web01);
    const atOther = await t.assign(user.userId, 'Owner', IDS.rgOther);
    const mine = (xs: Array<{ id: string }>) => xs.map((x) => x.id).filter((id) => [atRoot.id, atSub.id, atVm.id, atOther.id].includes(id));
    expect(mine(await t.roles.listRoleAssignments({ scope: IDS.web01 }))).toEqual([atVm.id]);
    expect(mine(await t.roles.listRoleAssignments({ scope: IDS.web01, inherited: true })).sort()).toEqual([atRoot.id, atSub.id, atVm.id].sort());
    expect(mine(await t.roles.listRoleAssignments({ principal: { type: 'user', id: user.userId } })).sort()).toEqual([atRoot.id, atVm.id, atOther.id].sort());
    expect((await t.roles.assignmentsOf(user)).map((a) => a.id).sort()).toEqual([atRoot.id, atSub.id, atVm.id, atOther.id].sort());
    await refuses(t.roles.listRoleAssignments({ scope: 'bad' }), 'BST_ERR_VALIDATION', 400, /^scope:/);
  });

  it('deletes one assignment (404 when unknown) or all of a principal', async () => {
    const user = await t.newUser();
    const a = await t.assign(user.userId, 'Reader', IDS.rgApp);
    await t.assign(user.userId, 'Reader', IDS.rgOther);
    expect(await t.roles.deleteRoleAssignment(a.id.toUpperCase())).toEqual(a);
    await refuses(t.roles.deleteRoleAssignment(a.id), 'BST_ERR_NOT_FOUND', 404, /not found/);
    expect(await t.roles.deleteAssignmentsOfPrincipal('user', user.userId)).toBe(1);
    expect(await t.roles.assignmentsOf(user)).toEqual([]);
  });
});
