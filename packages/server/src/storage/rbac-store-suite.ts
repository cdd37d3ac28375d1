import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserDirectory } from '../identity/users.js';
import { InventoryService } from '../inventory/service.js';
import { AccessChecker, ACTIONS, loadPrincipal, RoleStore } from '../rbac/index.js';
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
  });
}
