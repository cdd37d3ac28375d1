import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserDirectory } from '../identity/users.js';
import { InventoryService } from '../inventory/service.js';
import { AccessChecker, ACTIONS, loadPrincipal, OWNER, RoleStore } from '../rbac/index.js';
import type { Store } from './open.js';

/**
 * The RBAC part of the storage compliance suite: role definitions and assignments must behave the same
 * on SQLite and PostgreSQL (uniqueness, case-insensitive scopes, group lookups). Only imported by tests.
 */
export function runRbacStoreSuite(name: string, open: () => Promise<Store>): void {
  describe(name, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });
    const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

    it('stores custom roles and assignments, refuses duplicates, and decides through group membership', async () => {
      const users = new UserDirectory(store.db);
      const roles = new RoleStore(store.db);
      const sub = randomUUID();
      const inventory = new InventoryService(store.db, sub);
      const checker = new AccessChecker(roles, inventory);
      const alice = await users.create({ username: unique('alice'), password: 'Correct-Horse-42' });
      const group = await users.createGroup(unique('ops'));
      await users.setMembership(group.name, alice.username, true);

      const role = await roles.createRoleDefinition({ name: unique('VM Reader'), actions: [ACTIONS.virtualMachines.read], assignableScopes: [`/subscriptions/${sub}`] });
      expect((await roles.findRoleDefinition(role.name.toUpperCase()))?.id).toBe(role.id);
      await expect(roles.createRoleDefinition({ name: role.name.toLowerCase(), actions: ['*/read'], assignableScopes: ['/'] })).rejects.toMatchObject({ code: 'BST_ERR_CONFLICT' });

      const scope = `/subscriptions/${sub}/resourceGroups/rg-app`;
      const a = await roles.createRoleAssignment({ principalType: 'group', principalId: group.id, role: role.name, scope });
      await expect(roles.createRoleAssignment({ principalType: 'group', principalId: group.id, role: role.id, scope: scope.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/') })).rejects.toMatchObject({ code: 'BST_ERR_CONFLICT' });

      const principal = await loadPrincipal(store.db, alice.id);
      const vm = `${scope}/providers/Microsoft.Compute/virtualMachines/web01`;
      expect((await checker.checkAccess(principal, ACTIONS.virtualMachines.read, vm)).allowed).toBe(true);
      expect((await checker.checkAccess(principal, ACTIONS.virtualMachines.write, vm)).allowed).toBe(false);
      expect((await checker.checkAccess(principal, ACTIONS.virtualMachines.read, `/subscriptions/${sub}/resourceGroups/rg-other/providers/Microsoft.Compute/virtualMachines/x`)).allowed).toBe(false);

      expect((await roles.listRoleAssignments({ scope: vm, inherited: true })).map((x) => x.id)).toContain(a.id);
      await expect(roles.deleteRoleDefinition(role.id)).rejects.toMatchObject({ code: 'BST_ERR_CONFLICT' });
      await roles.deleteRoleAssignment(a.id);
      expect((await checker.checkAccess(principal, ACTIONS.virtualMachines.read, vm)).allowed).toBe(false);
      await roles.deleteRoleDefinition(role.id);
    });

    // Issue #12. The check and the removal are one transaction that locks the Owner rows: on PostgreSQL
    // (READ COMMITTED, a pool of connections) two removals that each leave "another" Owner would otherwise
    // both commit. This test needs a database without an Owner at '/' yet, and leaves one behind.
    it('never lets two concurrent removals take away the last two Owners at "/"', async () => {
      const users = new UserDirectory(store.db);
      const roles = new RoleStore(store.db);
      const ownersAtRoot = async () => (await roles.listRoleAssignments({ scope: '/' })).filter((a) => a.roleDefinitionId === OWNER.id);
      expect(await ownersAtRoot(), 'an earlier test left an Owner at "/": this one needs none').toEqual([]);
      const settle = async (changes: Array<Promise<unknown>>) => (await Promise.allSettled(changes)).map((r) => (r.status === 'fulfilled' ? 'done' : ((r.reason as { code?: string }).code ?? String(r.reason))));

      const [u1, u2] = [await users.create({ username: unique('owner1'), password: 'Correct-Horse-42' }), await users.create({ username: unique('owner2'), password: 'Correct-Horse-42' })];
      const a1 = await roles.createRoleAssignment({ principalType: 'user', principalId: u1.id, role: 'Owner', scope: '/' });
      const a2 = await roles.createRoleAssignment({ principalType: 'user', principalId: u2.id, role: 'Owner', scope: '/' });
      expect((await settle([roles.deleteRoleAssignment(a1.id), roles.deleteRoleAssignment(a2.id)])).sort()).toEqual(['BST_ERR_LAST_OWNER', 'done']);
      const [left] = await ownersAtRoot();
      expect([a1.id, a2.id]).toContain(left?.id);

      // The same through the other paths: deleting the remaining Owner user while the only other Owner
      // leaves the group that makes them one.
      const survivor = left!.principalId === u1.id ? u1 : u2;
      const u3 = await users.create({ username: unique('owner3'), password: 'Correct-Horse-42' });
      const group = await users.createGroup(unique('owners'));
      await users.setMembership(group.name, u3.username, true);
      await roles.createRoleAssignment({ principalType: 'group', principalId: group.id, role: 'Owner', scope: '/' });
      expect((await settle([users.delete(survivor.username), users.setMembership(group.name, u3.username, false)])).sort()).toEqual(['BST_ERR_LAST_OWNER', 'done']);
      const stillOwner = (await ownersAtRoot()).some((a) => a.principalId === survivor.id);
      const u3InGroup = (await users.get(u3.username)).groups.includes(group.name);
      expect(stillOwner !== u3InGroup, JSON.stringify({ stillOwner, u3InGroup })).toBe(true);
    });
  });
}
