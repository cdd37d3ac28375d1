import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventType } from '../../../protocol/src/audit-events.js';
import { AuditLog, type AuditInput } from '../audit/audit-log.js';
import { HostKeyTrust } from '../gateway/ssh/host-key-trust.js';
import { ApiTokens } from '../identity/api-tokens.js';
import { UserDirectory } from '../identity/users.js';
import { WebSessions } from '../identity/web-sessions.js';
import { InventoryService } from '../inventory/service.js';
import { OWNER, RoleStore, TENANT_SCOPE } from '../rbac/index.js';
import { ShareableLinks } from '../sharing/shareable-links.js';
import type { RbacTables } from '../rbac/types.js';
import type { Store } from './open.js';

/**
 * Design 0009 on both backends: a state change and its audit event commit together or not at all. The
 * failure is real: an event the database refuses (NOT NULL on `message`) written after the change and
 * after a first, valid event in the same transaction. Only imported by tests.
 */
export function runAuditAtomicitySuite(name: string, open: () => Promise<Store>): void {
  describe(name, () => {
    let store: Store;
    let audit: AuditLog;
    beforeAll(async () => {
      store = await open();
      audit = new AuditLog(store.db);
    });
    afterAll(async () => {
      await store?.close();
    });
    const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;
    const event = (type: AuditEventType, target: string): AuditInput => ({ type, outcome: 'success', actor: 'suite', target, message: `${type} ${target}` });
    /** An event the store refuses: `message` is NOT NULL in audit_events. */
    const refused = (target: string): AuditInput => ({ ...event('resource.written', target), message: null as unknown as string });
    const eventsFor = async (target: string): Promise<number> => (await audit.list({ target, limit: 1000 })).length;
    const password = 'Correct-Horse-42';

    it('rolls back the change and its first event when a later event of the same change is refused, for each kind of write', async () => {
      const users = new UserDirectory(store.db);
      const roles = new RoleStore(store.db);
      const inventory = new InventoryService(store.db, randomUUID());
      const bob = await users.create({ username: unique('bob'), password });
      const group = await users.createGroup(unique('ops'));
      const hash = await users.hashNewPassword(password);
      const writes: Array<{ what: string; change: (tx: Parameters<Parameters<AuditLog['change']>[0]>[0]) => Promise<unknown>; happened: () => Promise<boolean> }> = [];
      const role = unique('Role');
      writes.push({
        what: 'role assignment',
        change: (tx) => roles.in(tx).createRoleAssignment({ principalType: 'user', principalId: bob.id, role: 'Reader', scope: '/' }),
        happened: async () => (await roles.listRoleAssignments({ scope: '/', principal: { type: 'user', id: bob.id } })).length > 0,
      });
      writes.push({ what: 'role definition', change: (tx) => roles.in(tx).createRoleDefinition({ name: role, actions: ['*/read'], assignableScopes: ['/'] }), happened: async () => (await roles.findRoleDefinition(role)) !== undefined });
      const carol = unique('carol');
      writes.push({ what: 'user', change: (tx) => users.in(tx).create({ username: carol, passwordHash: hash }), happened: async () => (await users.list()).some((u) => u.username === carol) });
      writes.push({ what: 'membership', change: (tx) => users.in(tx).setMembership(group.name, bob.username, true), happened: async () => (await users.get(bob.username)).groups.includes(group.name) });
      const rg = unique('rg');
      writes.push({ what: 'inventory write', change: (tx) => inventory.in(tx).putResourceGroup(rg), happened: async () => (await inventory.list('Microsoft.Resources/resourceGroups')).some((r) => r.name === rg) });
      writes.push({ what: 'password', change: (tx) => users.in(tx).setPasswordHash(bob.id, 'not-a-hash'), happened: async () => (await users.verifyLogin(bob.username, password)) === null });
      writes.push({ what: 'API token', change: (tx) => new ApiTokens(store.db).in(tx).issue({ userId: bob.id, name: 'suite', clientIp: '192.0.2.1', userAgent: 'x' }), happened: async () => (await new ApiTokens(store.db).list(bob.id)).length > 0 });
      writes.push({ what: 'web session', change: (tx) => new WebSessions(store.db, 60_000).in(tx).create(bob.id, '192.0.2.1', 'x'), happened: async () => (await store.db.selectFrom('web_sessions').select('id_hash').where('user_id', '=', bob.id).execute()).length > 0 });
      const bastionId = `/subscriptions/${randomUUID()}/resourceGroups/rg/providers/Microsoft.Network/bastionHosts/b1`;
      const vmId = `/subscriptions/${randomUUID()}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`;
      writes.push({ what: 'shareable link', change: (tx) => new ShareableLinks(store.db).in(tx).create({ bastionId, vmIds: [vmId], createdBy: bob.username, createdById: bob.id, expiresAt: null }), happened: async () => (await new ShareableLinks(store.db).count(bastionId)) > 0 });
      writes.push({ what: 'host key accept', change: (tx) => new HostKeyTrust(store.db).in(tx).accept(vmId, 22, 'SHA256:suite', bob.username, { keyType: 'ssh-ed25519', host: '192.0.2.9' }), happened: async () => (await new HostKeyTrust(store.db).get(vmId, 22)) !== undefined });

      for (const w of writes) {
        const target = unique(w.what.replace(/ /g, '-'));
        const attempt = audit.change(async (tx) => {
          await w.change(tx);
          await audit.writeIn(tx, event('resource.written', target));
          await audit.writeIn(tx, refused(target));
        });
        await expect(attempt, w.what).rejects.toThrow();
        expect({ what: w.what, happened: await w.happened(), events: await eventsFor(target) }).toEqual({ what: w.what, happened: false, events: 0 });
      }
      // The same writes with a valid event: both land.
      for (const w of writes.slice(0, 5)) {
        const target = unique(w.what.replace(/ /g, '-'));
        await audit.change(async (tx) => {
          await w.change(tx);
          await audit.writeIn(tx, event('resource.written', target));
        });
        expect({ what: w.what, happened: await w.happened(), events: await eventsFor(target) }).toEqual({ what: w.what, happened: true, events: 1 });
      }
    });

    it('runs the last-Owner guard inside the same transaction: a refused removal leaves no event, an allowed one has it', async () => {
      const users = new UserDirectory(store.db);
      const roles = new RoleStore(store.db);
      const rbac = store.db.withTables<RbacTables>();
      const ownerRows = () => rbac.deleteFrom('role_assignments').where('role_definition_id', '=', OWNER.id).where('scope_key', '=', TENANT_SCOPE);
      // Start from no Owner at '/' but our two users (the RBAC suite leaves one), and leave none behind.
      await ownerRows().execute();
      const [u1, u2] = [await users.create({ username: unique('own1'), password }), await users.create({ username: unique('own2'), password })];
      const a1 = await roles.createRoleAssignment({ principalType: 'user', principalId: u1.id, role: 'Owner', scope: '/' });
      const a2 = await roles.createRoleAssignment({ principalType: 'user', principalId: u2.id, role: 'Owner', scope: '/' });
      const remove = (id: string, target: string) =>
        audit.change(async (tx) => {
          await roles.in(tx).deleteRoleAssignment(id);
          await audit.writeIn(tx, event('rbac.assignment.deleted', target));
        });
      const t1 = unique('t1');
      const t2 = unique('t2');
      const results = await Promise.allSettled([remove(a1.id, t1), remove(a2.id, t2)]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'BST_ERR_LAST_OWNER' });
      expect((await eventsFor(t1)) + (await eventsFor(t2))).toBe(1);
      expect((await roles.listRoleAssignments({ scope: TENANT_SCOPE })).filter((a) => a.roleDefinitionId === OWNER.id)).toHaveLength(1);
      await ownerRows().execute();
    });

    it('serves many parallel audited changes without a deadlock, each with exactly its event', async () => {
      const users = new UserDirectory(store.db);
      const prefix = unique('par');
      const names = Array.from({ length: 40 }, (_, i) => `${prefix}-${i}`);
      const results = await Promise.allSettled(
        names.map((n, i) =>
          audit.change(async (tx) => {
            await users.in(tx).createGroup(n);
            // Every fifth one fails after its change: those must leave nothing.
            await audit.writeIn(tx, i % 5 === 0 ? refused(n) : event('group.created', n));
          }),
        ),
      );
      const made = new Set((await users.listGroups()).map((g) => g.name).filter((g) => g.startsWith(prefix)));
      for (const [i, n] of names.entries()) {
        expect({ n, ok: results[i]!.status === 'fulfilled', exists: made.has(n), events: await eventsFor(n) }).toEqual(i % 5 === 0 ? { n, ok: false, exists: false, events: 0 } : { n, ok: true, exists: true, events: 1 });
      }
    });

    it('writes within a transaction the caller opened: committed with it, rolled back with it', async () => {
      const kept = unique('kept');
      const lost = unique('lost');
      await store.db.transaction().execute((tx) => audit.writeIn(tx, event('bastion.started', kept)));
      await expect(
        store.db.transaction().execute(async (tx) => {
          await audit.writeIn(tx, event('bastion.started', lost));
          throw new Error('the change failed after its event');
        }),
      ).rejects.toThrow('the change failed');
      expect([await eventsFor(kept), await eventsFor(lost)]).toEqual([1, 0]);
    });

    it('pins an SSH host key on first use together with its ssh.hostkey.pinned event: a refused event leaves no pin', async () => {
      const trust = new HostKeyTrust(store.db);
      const vmA = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${unique('vm')}`;
      const vmB = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${unique('vm')}`;
      const pinAudit = (vm: string, ok: boolean) => ({ audit, event: () => (ok ? event('ssh.hostkey.pinned', vm) : refused(vm)) });
      expect((await trust.check(vmA, '10.0.0.4', 22, 'ssh-ed25519', 'SHA256:aaa', pinAudit(vmA, true))).status).toBe('new');
      expect([await trust.get(vmA, 22).then((p) => p?.fingerprint), await eventsFor(vmA)]).toEqual(['SHA256:aaa', 1]);
      // A second connection matches: no new pin, no new event.
      expect((await trust.check(vmA, '10.0.0.4', 22, 'ssh-ed25519', 'SHA256:aaa', pinAudit(vmA, true))).status).toBe('match');
      expect(await eventsFor(vmA)).toBe(1);
      await expect(trust.check(vmB, '10.0.0.5', 22, 'ssh-ed25519', 'SHA256:bbb', pinAudit(vmB, false))).rejects.toThrow();
      expect([await trust.get(vmB, 22), await eventsFor(vmB)]).toEqual([undefined, 0]);
    });
  });
}
