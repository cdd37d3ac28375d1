import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import { BastionError, type ErrorCode } from '../errors.js';
import { UserDirectory } from '../identity/users.js';
import { WebSessions } from '../identity/web-sessions.js';
import * as ids from '../inventory/ids.js';
import { InventoryService } from '../inventory/service.js';
import type * as T from '../inventory/types.js';
import { MIGRATION_NAMES, migrateToLatest } from './migrate.js';
import type { Store } from './open.js';

/**
 * The storage compliance suite (Teleport's RunBackendComplianceSuite habit): one set of tests that every
 * database backend must pass, run by test/integration/storage.test.ts against SQLite and a real PostgreSQL.
 *
 * `open` must return a store on the same database every time it is called within one suite run (the first
 * call migrates it; later calls are reopens). Tests share that database, so each test uses its own
 * names: random usernames and group names, and a fresh subscription ID for inventory (lists are per
 * subscription). Only imported by tests: it uses vitest.
 */
export function runStoreSuite(name: string, open: () => Promise<Store>): void {
  describe(name, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    /** A name no other test (or earlier run) uses. */
    const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;
    const PASSWORD = 'Correct-Horse-42';

    describe('migrations', () => {
      it('migrates a fresh database, and opening it again is a no-op that keeps the data', async () => {
        const applied = await sql<{ name: string }>`select name from bastion_migrations order by name`.execute(store.db);
        expect(applied.rows.map((r) => r.name)).toEqual([...MIGRATION_NAMES].sort());

        const users = new UserDirectory(store.db);
        const username = unique('keep');
        await users.create({ username, passwordHash: 'scrypt$not$a$real$hash$x' });

        // Two more opens at once, then migrate once more by hand: nothing left to apply, nothing lost.
        const [second, third] = await Promise.all([open(), open()]);
        try {
          expect(second.dialect).toBe(store.dialect);
          expect(await migrateToLatest(second.db as never, second.dialect)).toEqual([]);
          const again = await sql<{ name: string }>`select name from bastion_migrations order by name`.execute(third.db);
          expect(again.rows.map((r) => r.name)).toEqual([...MIGRATION_NAMES].sort());
          expect((await new UserDirectory(third.db).get(username)).username).toBe(username);
        } finally {
          await second.close();
          await third.close();
        }
        // The first store still works after the others closed.
        expect((await users.get(username.toUpperCase())).username).toBe(username);
      });

      it('describes where it is without a password', () => {
        expect(store.where).toBeTruthy();
        expect(store.where).not.toMatch(/:[^:@/]+@/);
      });
    });

    describe('UserDirectory', () => {
      it('creates a user and refuses a duplicate name case-insensitively', async () => {
        const users = new UserDirectory(store.db);
        const username = unique('Alice');
        const user = await users.create({ username, password: PASSWORD, displayName: 'Alice A.', isAdmin: true });
        expect(user).toMatchObject({ username, displayName: 'Alice A.', isAdmin: true, mustChangePassword: false, groups: [] });
        expect(user.id).toMatch(/^[0-9a-f-]{36}$/);

        await refused(users.create({ username: username.toLowerCase(), password: PASSWORD }), 'BST_ERR_CONFLICT', `User ${username.toLowerCase()} already exists`);
        await refused(users.create({ username: username.toUpperCase(), password: PASSWORD }), 'BST_ERR_CONFLICT', 'already exists');
        expect((await users.list()).filter((u) => u.username.toLowerCase() === username.toLowerCase())).toHaveLength(1);

        expect(await users.get(username.toUpperCase())).toEqual(user);
        expect(await users.getById(user.id)).toEqual(user);
        await refused(users.get(unique('nobody')), 'BST_ERR_NOT_FOUND', 'was not found');
        expect(await users.count()).toBeGreaterThanOrEqual(1);
      });

      it('refuses bad usernames and weak passwords', async () => {
        const users = new UserDirectory(store.db);
        await refused(users.create({ username: 'bad name!', password: PASSWORD }), 'BST_ERR_VALIDATION', 'username');
        await refused(users.create({ username: unique('weak'), password: 'short1' }), 'BST_ERR_VALIDATION', 'at least 12 characters');
        await refused(users.create({ username: unique('nopass') }), 'BST_ERR_VALIDATION', 'password is required');
      });

      it('verifies logins: right password, wrong password, unknown user', async () => {
        const users = new UserDirectory(store.db);
        const username = unique('bob');
        const bob = await users.create({ username, password: PASSWORD });
        expect(await users.verifyLogin(username, PASSWORD)).toEqual(bob);
        expect(await users.verifyLogin(username.toUpperCase(), PASSWORD)).toEqual(bob);
        expect(await users.verifyLogin(username, `${PASSWORD}x`)).toBeNull();
        expect(await users.verifyLogin(unique('ghost'), PASSWORD)).toBeNull();
        expect(await users.verifyLogin('not a valid name', PASSWORD)).toBeNull();
      });

      it('changes a password: checks the current one, clears mustChangePassword', async () => {
        const users = new UserDirectory(store.db);
        const username = unique('carol');
        const carol = await users.create({ username, password: PASSWORD, mustChangePassword: true });
        expect(carol.mustChangePassword).toBe(true);
        const next = 'Another-Pass-77';

        await refused(users.changePassword(carol.id, 'Wrong-Password-1', next), 'BST_ERR_VALIDATION', 'current password is not correct');
        await refused(users.changePassword(carol.id, PASSWORD, PASSWORD), 'BST_ERR_VALIDATION', 'must differ');
        await refused(users.changePassword(carol.id, PASSWORD, 'tooshort1'), 'BST_ERR_VALIDATION', 'at least 12 characters');
        await refused(users.changePassword(randomUUID(), PASSWORD, next), 'BST_ERR_NOT_FOUND');
        expect(await users.verifyLogin(username, PASSWORD)).not.toBeNull(); // refusals changed nothing

        await users.changePassword(carol.id, PASSWORD, next);
        expect(await users.verifyLogin(username, PASSWORD)).toBeNull();
        expect(await users.verifyLogin(username, next)).toMatchObject({ id: carol.id, mustChangePassword: false });
        const row = await store.db.selectFrom('users').select('password_hash').where('id', '=', carol.id).executeTakeFirstOrThrow();
        expect(row.password_hash).toMatch(/^scrypt\$/);
        expect(row.password_hash).not.toContain(next);
      });

      it('manages groups and memberships (names case-insensitive)', async () => {
        const users = new UserDirectory(store.db);
        const dave = await users.create({ username: unique('dave'), password: PASSWORD });
        const erin = await users.create({ username: unique('erin'), password: PASSWORD });
        const ops = unique('Operators');
        const devs = unique('devs');
        const group = await users.createGroup(ops);
        expect(group.name).toBe(ops);
        await users.createGroup(devs);
        await refused(users.createGroup(ops.toUpperCase()), 'BST_ERR_CONFLICT', 'already exists');
        await refused(users.createGroup('bad/name'), 'BST_ERR_VALIDATION', 'group name');

        await users.setMembership(ops.toLowerCase(), dave.username.toUpperCase(), true);
        await users.setMembership(ops, dave.username, true); // idempotent
        await users.setMembership(ops, erin.username, true);
        await users.setMembership(devs, dave.username, true);
        expect((await users.get(dave.username)).groups.sort()).toEqual([devs, ops].sort());
        const listed = (await users.listGroups()).find((g) => g.name === ops);
        expect(listed?.members.sort()).toEqual([dave.username, erin.username].sort());

        await users.setMembership(ops, erin.username, false);
        expect((await users.get(erin.username)).groups).toEqual([]);
        await refused(users.setMembership(unique('nogroup'), dave.username, true), 'BST_ERR_NOT_FOUND', 'Group');
        await refused(users.setMembership(ops, unique('nouser'), true), 'BST_ERR_NOT_FOUND', 'User');

        await users.deleteGroup(devs.toUpperCase());
        expect((await users.get(dave.username)).groups).toEqual([ops]);
        expect((await users.listGroups()).some((g) => g.name === devs)).toBe(false);
        await refused(users.deleteGroup(devs), 'BST_ERR_NOT_FOUND');
      });

      it('deleting a user removes their memberships and sessions', async () => {
        const users = new UserDirectory(store.db);
        const sessions = new WebSessions(store.db, 60_000);
        const frank = await users.create({ username: unique('frank'), password: PASSWORD });
        const other = await users.create({ username: unique('grace'), password: PASSWORD });
        const group = unique('team');
        await users.createGroup(group);
        await users.setMembership(group, frank.username, true);
        await users.setMembership(group, other.username, true);
        const s1 = await sessions.create(frank.id, '192.0.2.1', 'test');
        const s2 = await sessions.create(frank.id, '192.0.2.2', 'test');
        const kept = await sessions.create(other.id, '192.0.2.3', 'test');

        await users.delete(frank.username.toUpperCase());

        await refused(users.get(frank.username), 'BST_ERR_NOT_FOUND');
        expect(await users.getById(frank.id)).toBeUndefined();
        expect(await users.verifyLogin(frank.username, PASSWORD)).toBeNull();
        expect(await sessions.lookup(s1.cookie)).toBeUndefined();
        expect(await sessions.lookup(s2.cookie)).toBeUndefined();
        expect(await store.db.selectFrom('web_sessions').select('id_hash').where('user_id', '=', frank.id).execute()).toEqual([]);
        expect(await store.db.selectFrom('group_members').select('group_id').where('user_id', '=', frank.id).execute()).toEqual([]);
        expect((await users.listGroups()).find((g) => g.name === group)?.members).toEqual([other.username]);
        expect(await sessions.lookup(kept.cookie)).toMatchObject({ userId: other.id });
        await refused(users.delete(frank.username), 'BST_ERR_NOT_FOUND');
      });
    });

    describe('WebSessions', () => {
      const newUser = async (): Promise<string> => (await new UserDirectory(store.db).create({ username: unique('sess'), passwordHash: 'scrypt$placeholder' })).id;

      it('creates and looks up a session; the cookie is never stored in clear', async () => {
        const userId = await newUser();
        const sessions = new WebSessions(store.db, 60 * 60_000);
        const before = Date.now();
        const { cookie, session } = await sessions.create(userId, '192.0.2.10', 'Mozilla/5.0 test');
        expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(session.csrfToken).not.toBe(cookie);
        const expires = Date.parse(session.expiresAt);
        expect(expires).toBeGreaterThanOrEqual(before + 60 * 60_000);
        expect(expires).toBeLessThanOrEqual(Date.now() + 60 * 60_000);

        expect(await sessions.lookup(cookie)).toEqual(session);
        expect(await sessions.lookup(`${cookie.slice(0, -1)}${cookie.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
        expect(await sessions.lookup('x'.repeat(500))).toBeUndefined();

        const rows = await store.db.selectFrom('web_sessions').selectAll().where('user_id', '=', userId).execute();
        expect(rows).toHaveLength(1);
        expect(rows[0]!.id_hash).toBe(createHash('sha256').update(cookie).digest('hex'));
        expect(JSON.stringify(rows)).not.toContain(cookie);
        expect(rows[0]).toMatchObject({ client_ip: '192.0.2.10', user_agent: 'Mozilla/5.0 test', csrf_token: session.csrfToken });
      });

      it('an expired session is gone, and lookup removes its row', async () => {
        const userId = await newUser();
        const expired = await new WebSessions(store.db, -1000).create(userId, '192.0.2.11', 'test');
        const shortLived = new WebSessions(store.db, 300);
        const soon = await shortLived.create(userId, '192.0.2.11', 'test');
        expect(await shortLived.lookup(soon.cookie)).toBeDefined();

        expect(await shortLived.lookup(expired.cookie)).toBeUndefined();
        const left = await store.db.selectFrom('web_sessions').select('id_hash').where('user_id', '=', userId).execute();
        expect(left).toHaveLength(1);

        await new Promise((r) => setTimeout(r, 400));
        const live = await new WebSessions(store.db, 60_000).create(userId, '192.0.2.11', 'test');
        await shortLived.pruneExpired();
        expect(await store.db.selectFrom('web_sessions').select('id_hash').where('user_id', '=', userId).execute()).toHaveLength(1);
        expect(await shortLived.lookup(soon.cookie)).toBeUndefined();
        expect(await shortLived.lookup(live.cookie)).toMatchObject({ userId });
      });

      it('destroys one session, or all of a user’s sessions except one', async () => {
        const alice = await newUser();
        const bob = await newUser();
        const sessions = new WebSessions(store.db, 60_000);
        const a1 = await sessions.create(alice, '192.0.2.20', 'a1');
        const a2 = await sessions.create(alice, '192.0.2.20', 'a2');
        const a3 = await sessions.create(alice, '192.0.2.20', 'a3');
        const b1 = await sessions.create(bob, '192.0.2.21', 'b1');

        await sessions.destroy(a1.cookie);
        expect(await sessions.lookup(a1.cookie)).toBeUndefined();
        expect(await sessions.lookup(a2.cookie)).toBeDefined();
        await sessions.destroy(a1.cookie); // twice is fine

        await sessions.destroyAllFor(alice, a3.cookie);
        expect(await sessions.lookup(a2.cookie)).toBeUndefined();
        expect(await sessions.lookup(a3.cookie)).toMatchObject({ userId: alice });

        await sessions.destroyAllFor(alice);
        expect(await sessions.lookup(a3.cookie)).toBeUndefined();
        expect(await sessions.lookup(b1.cookie)).toMatchObject({ userId: bob });
      });
    });

    describe('AuditLog', () => {
      it('writes events and lists them newest first, filtered by type and actor', async () => {
        const audit = new AuditLog(store.db);
        const actor = unique('auditor');
        const created = await audit.write({ type: 'user.created', outcome: 'success', message: 'created u1', actor, target: 'u1', clientIp: '192.0.2.30', userAgent: 'x'.repeat(600), details: { n: 1, nested: { ok: true } } });
        expect(created).toMatchObject({ type: 'user.created', code: 'U2000I', actor, target: 'u1', outcome: 'success' });
        expect(created.userAgent).toHaveLength(512);
        const failed = await audit.write({ type: 'user.login.failed', outcome: 'failure', message: 'bad password', actor });
        const deleted = await audit.write({ type: 'user.deleted', outcome: 'success', message: 'deleted u1', actor, target: 'u1' });
        const second = await audit.write({ type: 'user.created', outcome: 'success', message: 'created u2', actor, target: 'u2' });

        const all = await audit.list({ actor });
        expect(all.map((e) => e.id)).toEqual([second.id, deleted.id, failed.id, created.id]);
        expect(all[3]).toEqual(created);
        expect(all[2]).toMatchObject({ code: 'U1000W', outcome: 'failure', clientIp: null, userAgent: null, target: null, details: {} });

        expect((await audit.list({ actor, type: 'user.created' })).map((e) => e.message)).toEqual(['created u2', 'created u1']);
        expect(await audit.list({ actor, type: 'group.deleted' })).toEqual([]);
        const byType = await audit.list({ type: 'user.deleted' });
        expect(byType.length).toBeGreaterThanOrEqual(1);
        expect(byType.every((e) => e.type === 'user.deleted')).toBe(true);
        expect((await audit.list({ actor, limit: 2 })).map((e) => e.id)).toEqual([second.id, deleted.id]);
      });

      it('keeps events across a reopen of the database', async () => {
        const actor = unique('survivor');
        const first = await open();
        let event;
        try {
          event = await new AuditLog(first.db).write({ type: 'bastion.started', outcome: 'success', message: 'started', actor, details: { version: '0.1.0' } });
        } finally {
          await first.close();
        }
        const again = await open();
        try {
          expect(await new AuditLog(again.db).list({ actor })).toEqual([event]);
        } finally {
          await again.close();
        }
      });
    });

    describe('InventoryService', () => {
      /** A fresh subscription per test: the inventory lists are per subscription, so tests do not see each other. */
      const inventory = (): InventoryService => new InventoryService(store.db, randomUUID());

      /** rg-app + vnet-hub 10.90.0.0/16 with AzureBastionSubnet 10.90.0.0/26 and snet-vms 10.90.1.0/24. */
      async function hub(inv: InventoryService, rg = 'rg-app') {
        await inv.putResourceGroup(rg, 'westeurope', { env: 'test' });
        const vnet = await inv.putVirtualNetwork(rg, 'vnet-hub', {
          addressPrefixes: ['10.90.0.0/16'],
          subnets: [
            { name: 'AzureBastionSubnet', addressPrefix: '10.90.0.0/26' },
            { name: 'snet-vms', addressPrefix: '10.90.1.0/24' },
          ],
        });
        return { vnet, vmsSubnetId: ids.subnetId(vnet.id, 'snet-vms'), bastionSubnetId: ids.subnetId(vnet.id, 'AzureBastionSubnet') };
      }
      const nic = (inv: InventoryService, name: string, subnetId: string, ip: string, rg = 'rg-app') =>
        inv.putNetworkInterface(rg, name, { ipConfigurations: [{ privateIPAddress: ip, subnetId }] });

      it('creates a resource group and a virtual network with AzureBastionSubnet /26 and snet-vms', async () => {
        const inv = inventory();
        const sub = inv.subscriptionId;
        const rg = await inv.putResourceGroup('rg-app', 'westeurope', { env: 'test' });
        expect(rg).toMatchObject({ id: `/subscriptions/${sub}/resourceGroups/rg-app`, name: 'rg-app', type: 'Microsoft.Resources/resourceGroups', location: 'westeurope', tags: { env: 'test' }, properties: { provisioningState: 'Succeeded' } });

        const { vnet, vmsSubnetId, bastionSubnetId } = await hub(inv);
        expect(vnet).toMatchObject({
          id: `/subscriptions/${sub}/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet-hub`,
          name: 'vnet-hub',
          type: ids.TYPES.virtualNetwork,
          resourceGroup: 'rg-app',
          location: 'westeurope',
          properties: { addressSpace: { addressPrefixes: ['10.90.0.0/16'] } },
        });
        const subnets = await inv.list<T.SubnetProps>(ids.TYPES.subnet, { parentId: vnet.id });
        expect(subnets.map((s) => [s.id, s.name, s.properties.addressPrefix]).sort()).toEqual(
          [
            [bastionSubnetId, 'AzureBastionSubnet', '10.90.0.0/26'],
            [vmsSubnetId, 'snet-vms', '10.90.1.0/24'],
          ].sort(),
        );
        expect(await inv.get(vmsSubnetId)).toMatchObject({ type: ids.TYPES.subnet, resourceGroup: 'rg-app' });

        // PUT is create-or-update: a second subnet by PUT, and re-PUT of the network keeps its subnets.
        await inv.putSubnet('rg-app', 'vnet-hub', 'snet-data', '10.90.2.0/24');
        await inv.putVirtualNetwork('rg-app', 'vnet-hub', { addressPrefixes: ['10.90.0.0/16'], tags: { v: '2' } });
        expect((await inv.list(ids.TYPES.subnet, { parentId: vnet.id })).map((s) => s.name).sort()).toEqual(['AzureBastionSubnet', 'snet-data', 'snet-vms']);
        expect(await inv.list(ids.TYPES.virtualNetwork)).toHaveLength(1);
        expect((await inv.get(vnet.id))?.tags).toEqual({ v: '2' });
      });

      it('refuses writes under a resource group or network that does not exist', async () => {
        const inv = inventory();
        await refused(inv.putVirtualNetwork('rg-none', 'vnet-x', { addressPrefixes: ['10.0.0.0/16'] }), 'BST_ERR_NOT_FOUND', 'Resource group rg-none was not found');
        await inv.putResourceGroup('rg-app');
        await refused(inv.putSubnet('rg-app', 'vnet-none', 'snet-a', '10.0.0.0/24'), 'BST_ERR_NOT_FOUND', 'Virtual network vnet-none was not found');
        await refused(inv.putResourceGroup('bad name'), 'BST_ERR_VALIDATION', 'Resource group name "bad name" is not valid');
      });

      it('refuses an AzureBastionSubnet smaller than /26', async () => {
        const inv = inventory();
        await inv.putResourceGroup('rg-app');
        await refused(
          inv.putVirtualNetwork('rg-app', 'vnet-small', { addressPrefixes: ['10.80.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.80.0.0/27' }] }),
          'BST_ERR_VALIDATION',
          'AzureBastionSubnet must be /26 or larger',
          '10.80.0.0/27',
        );
        expect(await inv.list(ids.TYPES.virtualNetwork)).toEqual([]); // nothing half-written

        const { vnet } = await hub(inv);
        await refused(inv.putSubnet('rg-app', 'vnet-hub', 'azurebastionsubnet', '10.90.0.0/27'), 'BST_ERR_VALIDATION', '/26 or larger', '10.90.0.0/27');
        expect((await inv.get(ids.subnetId(vnet.id, 'AzureBastionSubnet')))?.properties).toEqual({ addressPrefix: '10.90.0.0/26' });
        // Larger is fine.
        await inv.putSubnet('rg-app', 'vnet-hub', 'AzureBastionSubnet', '10.90.0.0/25');
      });

      it('refuses overlapping address prefixes in one virtual network', async () => {
        const inv = inventory();
        await hub(inv);
        await refused(inv.putSubnet('rg-app', 'vnet-hub', 'snet-b', '10.90.1.128/25'), 'BST_ERR_VALIDATION', 'subnet snet-b', '10.90.1.128/25', 'overlaps subnet snet-vms (10.90.1.0/24)');
        await refused(
          inv.putVirtualNetwork('rg-app', 'vnet-two', {
            addressPrefixes: ['10.70.0.0/16'],
            subnets: [
              { name: 'snet-a', addressPrefix: '10.70.0.0/24' },
              { name: 'snet-b', addressPrefix: '10.70.0.0/23' },
            ],
          }),
          'BST_ERR_VALIDATION',
          'overlaps subnet',
        );
        await refused(inv.putVirtualNetwork('rg-app', 'vnet-three', { addressPrefixes: ['10.60.0.0/16', '10.60.5.0/24'] }), 'BST_ERR_VALIDATION', '10.60.0.0/16 overlaps 10.60.5.0/24');
        await refused(inv.putVirtualNetwork('rg-app', 'vnet-four', { addressPrefixes: [] }), 'BST_ERR_VALIDATION', 'at least one address prefix');
        expect((await inv.list(ids.TYPES.virtualNetwork)).map((v) => v.name)).toEqual(['vnet-hub']);
      });

      it('refuses a subnet outside the address space, also when the space shrinks', async () => {
        const inv = inventory();
        await hub(inv);
        await refused(inv.putSubnet('rg-app', 'vnet-hub', 'snet-out', '10.91.0.0/24'), 'BST_ERR_VALIDATION', '10.91.0.0/24 is not inside', "address space (10.90.0.0/16)");
        await refused(inv.putVirtualNetwork('rg-app', 'vnet-hub', { addressPrefixes: ['10.90.1.0/24'] }), 'BST_ERR_VALIDATION', 'subnet AzureBastionSubnet', 'not inside');
        expect((await inv.list<T.VirtualNetworkProps>(ids.TYPES.virtualNetwork))[0]?.properties.addressSpace.addressPrefixes).toEqual(['10.90.0.0/16']);
      });

      it('refuses a CIDR with host bits set and suggests the network address', async () => {
        const inv = inventory();
        await inv.putResourceGroup('rg-app');
        await refused(inv.putVirtualNetwork('rg-app', 'vnet-bad', { addressPrefixes: ['10.0.0.1/24'] }), 'BST_ERR_VALIDATION', 'addressSpace.addressPrefixes[0]', '10.0.0.1/24 is not a network address', 'did you mean 10.0.0.0/24?');
        await inv.putVirtualNetwork('rg-app', 'vnet-ok', { addressPrefixes: ['10.0.0.0/16'] });
        await refused(inv.putSubnet('rg-app', 'vnet-ok', 'snet-a', '10.0.0.1/24'), 'BST_ERR_VALIDATION', 'subnet snet-a', 'did you mean 10.0.0.0/24?');
        await refused(inv.putSubnet('rg-app', 'vnet-ok', 'snet-a', '10.0.0.0/33'), 'BST_ERR_VALIDATION', 'greater than 32');
        await refused(inv.putSubnet('rg-app', 'vnet-ok', 'snet-a', 'fd00::/64'), 'BST_ERR_VALIDATION', 'IPv6');
        expect(await inv.list(ids.TYPES.subnet)).toEqual([]);
      });

      it('refuses a NIC whose IP is outside its subnet, reserved, invalid or already used', async () => {
        const inv = inventory();
        const { vmsSubnetId, vnet } = await hub(inv);
        await refused(nic(inv, 'nic-out', vmsSubnetId, '10.90.2.4'), 'BST_ERR_VALIDATION', 'privateIPAddress 10.90.2.4 is not inside subnet snet-vms (10.90.1.0/24)');
        await refused(nic(inv, 'nic-gw', vmsSubnetId, '10.90.1.1'), 'BST_ERR_VALIDATION', '10.90.1.1 is reserved in subnet snet-vms (10.90.1.0/24)');
        await refused(nic(inv, 'nic-net', vmsSubnetId, '10.90.1.0'), 'BST_ERR_VALIDATION', 'reserved');
        await refused(nic(inv, 'nic-bc', vmsSubnetId, '10.90.1.255'), 'BST_ERR_VALIDATION', 'reserved');
        await refused(nic(inv, 'nic-bad', vmsSubnetId, '10.90.1.300'), 'BST_ERR_VALIDATION', 'privateIPAddress', '10.90.1.300', 'greater than 255');
        await refused(nic(inv, 'nic-nosub', ids.subnetId(vnet.id, 'snet-none'), '10.90.1.4'), 'BST_ERR_VALIDATION', 'ipConfigurations[0].subnet does not exist');
        await refused(inv.putNetworkInterface('rg-app', 'nic-none', { ipConfigurations: [] }), 'BST_ERR_VALIDATION', 'at least one IP configuration');

        const a = await nic(inv, 'nic-a', vmsSubnetId, '10.90.1.4');
        expect(a.properties.ipConfigurations).toEqual([{ name: 'ipconfig1', properties: { privateIPAddress: '10.90.1.4', subnet: { id: vmsSubnetId } } }]);
        await refused(nic(inv, 'nic-b', vmsSubnetId, '10.90.1.4'), 'BST_ERR_CONFLICT', 'privateIPAddress 10.90.1.4 is already used by network interface nic-a');
        await nic(inv, 'nic-a', vmsSubnetId, '10.90.1.4'); // re-PUT of the same NIC keeps its own address
        await nic(inv, 'nic-b', vmsSubnetId, '10.90.1.5');
        // The same address in another virtual network is fine.
        await inv.putVirtualNetwork('rg-app', 'vnet-other', { addressPrefixes: ['10.90.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.90.1.0/24' }] });
        await nic(inv, 'nic-c', ids.subnetId(ids.virtualNetworkId(inv.subscriptionId, 'rg-app', 'vnet-other'), 'snet-vms'), '10.90.1.4');
        expect((await inv.list(ids.TYPES.networkInterface)).map((n) => n.name).sort()).toEqual(['nic-a', 'nic-b', 'nic-c']);

        // A subnet cannot shrink away from a NIC's address.
        await refused(inv.putSubnet('rg-app', 'vnet-hub', 'snet-vms', '10.90.1.128/25'), 'BST_ERR_VALIDATION', 'would leave 10.90.1.4 of network interface nic-a outside it');
      });

      it('refuses a NIC in AzureBastionSubnet', async () => {
        const inv = inventory();
        const { bastionSubnetId, vnet } = await hub(inv);
        await refused(nic(inv, 'nic-bas', bastionSubnetId, '10.90.0.10'), 'BST_ERR_VALIDATION', 'AzureBastionSubnet is reserved for the bastion', 'nic-bas');
        await refused(nic(inv, 'nic-bas', ids.subnetId(vnet.id, 'azurebastionsubnet'), '10.90.0.10'), 'BST_ERR_VALIDATION', 'reserved for the bastion');
        expect(await inv.list(ids.TYPES.networkInterface)).toEqual([]);
      });

      it('refuses a VM with an unknown NIC, and a NIC attached to two VMs', async () => {
        const inv = inventory();
        const { vmsSubnetId, vnet } = await hub(inv);
        const unknown = ids.networkInterfaceId(inv.subscriptionId, 'rg-app', 'nic-ghost');
        await refused(inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'linux', networkInterfaceIds: [unknown] }), 'BST_ERR_VALIDATION', 'networkProfile.networkInterfaces[0] does not exist', 'nic-ghost');
        await refused(inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'linux', networkInterfaceIds: [vnet.id] }), 'BST_ERR_VALIDATION', 'must be a network interface');
        await refused(inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'linux', networkInterfaceIds: [] }), 'BST_ERR_VALIDATION', 'at least one network interface');
        await refused(inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'macos' as never, networkInterfaceIds: [unknown] }), 'BST_ERR_VALIDATION', 'osType');

        const a = await nic(inv, 'nic-a', vmsSubnetId, '10.90.1.4');
        const vm = await inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'linux', networkInterfaceIds: [a.id.toUpperCase()], tags: { role: 'ssh' } });
        expect(vm).toMatchObject({ type: ids.TYPES.virtualMachine, tags: { role: 'ssh' }, properties: { osType: 'linux', networkProfile: { networkInterfaces: [{ id: a.id }] } } });
        await refused(inv.putVirtualMachine('rg-app', 'vm-b', { osType: 'windows', networkInterfaceIds: [a.id.toLowerCase()] }), 'BST_ERR_CONFLICT', 'Network interface nic-a is already attached to virtual machine vm-a');
        expect(await inv.get(ids.virtualMachineId(inv.subscriptionId, 'rg-app', 'vm-b'))).toBeUndefined();
        await inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'windows', networkInterfaceIds: [a.id] }); // re-PUT of the owner is fine
        expect((await inv.vmOfNic(store.db, a.id))?.name).toBe('vm-a');
      });

      it('refuses a bastion in a network without AzureBastionSubnet, and a second bastion in one network', async () => {
        const inv = inventory();
        const { vnet } = await hub(inv);
        const bare = await inv.putVirtualNetwork('rg-app', 'vnet-bare', { addressPrefixes: ['10.50.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.50.1.0/24' }] });
        await refused(inv.putBastionHost('rg-app', 'bas-bare', bare.id), 'BST_ERR_VALIDATION', 'Virtual network vnet-bare has no subnet named AzureBastionSubnet');
        await refused(inv.putBastionHost('rg-app', 'bas-x', ids.virtualNetworkId(inv.subscriptionId, 'rg-app', 'vnet-none')), 'BST_ERR_VALIDATION', 'virtualNetwork does not exist');
        await refused(inv.putBastionHost('rg-app', 'bas-x', ids.subnetId(vnet.id, 'snet-vms')), 'BST_ERR_VALIDATION', 'must be a virtual network');

        const bastion = await inv.putBastionHost('rg-app', 'bas-hub', vnet.id.toUpperCase());
        expect(bastion).toMatchObject({ id: ids.bastionHostId(inv.subscriptionId, 'rg-app', 'bas-hub'), type: ids.TYPES.bastionHost, properties: { virtualNetwork: { id: vnet.id } } });
        await refused(inv.putBastionHost('rg-app', 'bas-second', vnet.id.toLowerCase()), 'BST_ERR_CONFLICT', 'Virtual network vnet-hub already has bastion bas-hub');
        await inv.putBastionHost('rg-app', 'BAS-HUB', vnet.id); // re-PUT (any casing) is an update
        expect(await inv.list(ids.TYPES.bastionHost)).toHaveLength(1);
      });

      it('peers two networks both ways and refuses overlap between peered networks', async () => {
        const inv = inventory();
        const { vnet: hubNet } = await hub(inv);
        const spoke = await inv.putVirtualNetwork('rg-app', 'vnet-spoke', { addressPrefixes: ['10.91.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.91.1.0/24' }] });
        const clash = await inv.putVirtualNetwork('rg-app', 'vnet-clash', { addressPrefixes: ['10.90.128.0/17'] }); // unpeered overlap is allowed

        const peering = await inv.putPeering('rg-app', 'vnet-hub', 'hub-to-spoke', spoke.id);
        expect(peering).toMatchObject({ id: ids.peeringId(hubNet.id, 'hub-to-spoke'), type: ids.TYPES.peering, properties: { remoteVirtualNetwork: { id: spoke.id }, peeringState: 'Connected' } });
        const back = await inv.peeringsOf(store.db, spoke.id);
        expect(back).toHaveLength(1);
        expect(back[0]?.properties.remoteVirtualNetwork.id).toBe(hubNet.id);
        await inv.putPeering('rg-app', 'vnet-hub', 'hub-to-spoke', spoke.id.toUpperCase()); // idempotent
        expect(await inv.peeringsOf(store.db, spoke.id)).toHaveLength(1);
        expect(await inv.list(ids.TYPES.peering)).toHaveLength(2);

        await refused(inv.putPeering('rg-app', 'vnet-hub', 'hub-to-clash', clash.id), 'BST_ERR_VALIDATION', 'Peering hub-to-clash', '10.90.0.0/16 overlaps 10.90.128.0/17', 'vnet-clash');
        await refused(inv.putPeering('rg-app', 'vnet-hub', 'hub-to-hub', hubNet.id.toLowerCase()), 'BST_ERR_VALIDATION', 'cannot be peered with itself');
        await refused(inv.putPeering('rg-app', 'vnet-hub', 'hub-to-none', ids.virtualNetworkId(inv.subscriptionId, 'rg-app', 'vnet-none')), 'BST_ERR_VALIDATION', 'remote virtual network does not exist');
        // Growing a peered network into its peer's space is refused, from either side.
        await refused(inv.putVirtualNetwork('rg-app', 'vnet-spoke', { addressPrefixes: ['10.91.0.0/16', '10.90.200.0/24'] }), 'BST_ERR_VALIDATION', '10.90.200.0/24 overlaps 10.90.0.0/16 of peered network vnet-hub');
        await refused(inv.putVirtualNetwork('rg-app', 'vnet-hub', { addressPrefixes: ['10.90.0.0/16', '10.91.5.0/24'] }), 'BST_ERR_VALIDATION', 'overlaps 10.91.0.0/16 of peered network vnet-spoke');

        // Deleting one side of a peering removes both.
        await inv.delete(peering.id.toUpperCase());
        expect(await inv.list(ids.TYPES.peering)).toEqual([]);

        // Deleting a peered network removes the peerings that point at it too.
        await inv.putPeering('rg-app', 'vnet-spoke', 'spoke-to-hub', hubNet.id);
        await inv.delete(spoke.id);
        expect(await inv.list(ids.TYPES.peering)).toEqual([]);
        expect(await inv.peeringsOf(store.db, hubNet.id)).toEqual([]);
      });

      it('looks IDs up case-insensitively and keeps the first spelling', async () => {
        const inv = inventory();
        const { vnet, vmsSubnetId } = await hub(inv);
        for (const variant of [vnet.id.toUpperCase(), vnet.id.toLowerCase()]) expect((await inv.get(variant))?.id).toBe(vnet.id);
        // A subnet given in another casing is stored under its canonical ID.
        const a = await nic(inv, 'nic-a', vmsSubnetId.toUpperCase(), '10.90.1.4');
        expect(a.properties.ipConfigurations[0]?.properties.subnet.id).toBe(vmsSubnetId);
        // A path with other casing finds the same resources and updates instead of duplicating.
        await inv.putSubnet('RG-APP', 'VNET-HUB', 'SNET-VMS', '10.90.1.0/24');
        await inv.putResourceGroup('RG-APP', 'westeurope');
        expect(await inv.list(ids.TYPES.resourceGroup)).toHaveLength(1);
        expect((await inv.list(ids.TYPES.subnet, { parentId: vnet.id.toUpperCase() })).map((s) => s.id).sort()).toEqual([ids.subnetId(vnet.id, 'AzureBastionSubnet'), vmsSubnetId].sort());
        const rg = await inv.get(ids.resourceGroupId(inv.subscriptionId, 'Rg-App'));
        expect(rg).toMatchObject({ id: ids.resourceGroupId(inv.subscriptionId, 'rg-app'), name: 'rg-app' });
        expect((await inv.get(vmsSubnetId.toUpperCase()))?.name).toBe('snet-vms');
        expect(await inv.get(ids.resourceGroupId(inv.subscriptionId, 'rg-other'))).toBeUndefined();
      });

      it('refuses deletes while something depends on the resource, then allows them', async () => {
        const inv = inventory();
        const sub = inv.subscriptionId;
        const { vnet, vmsSubnetId, bastionSubnetId } = await hub(inv);
        const a = await nic(inv, 'nic-a', vmsSubnetId, '10.90.1.4');
        const vm = await inv.putVirtualMachine('rg-app', 'vm-a', { osType: 'linux', networkInterfaceIds: [a.id] });
        const bastion = await inv.putBastionHost('rg-app', 'bas-hub', vnet.id);
        const rgId = ids.resourceGroupId(sub, 'rg-app');

        await refused(inv.delete(vmsSubnetId), 'BST_ERR_CONFLICT', 'snet-vms cannot be deleted', 'network interface nic-a uses it');
        await refused(inv.delete(a.id), 'BST_ERR_CONFLICT', 'nic-a cannot be deleted', 'attached to virtual machine vm-a');
        await refused(inv.delete(rgId), 'BST_ERR_CONFLICT', 'rg-app cannot be deleted', 'still holds');
        await refused(inv.delete(vnet.id), 'BST_ERR_CONFLICT', 'vnet-hub cannot be deleted', 'network interface nic-a uses subnet snet-vms');
        await refused(inv.delete(bastionSubnetId), 'BST_ERR_CONFLICT', 'AzureBastionSubnet cannot be deleted', 'bastion bas-hub');
        await refused(inv.delete(ids.virtualMachineId(sub, 'rg-app', 'vm-none')), 'BST_ERR_NOT_FOUND', 'was not found');

        await inv.delete(vm.id.toUpperCase());
        await inv.delete(a.id);
        await inv.delete(vmsSubnetId);
        await refused(inv.delete(vnet.id), 'BST_ERR_CONFLICT', 'vnet-hub cannot be deleted', 'bastion bas-hub is deployed in it');
        await inv.delete(bastion.id);
        await inv.delete(vnet.id); // takes its remaining subnet with it
        expect(await inv.list(ids.TYPES.subnet)).toEqual([]);
        await inv.delete(rgId);

        for (const type of Object.values(ids.TYPES)) expect(await inv.list(type)).toEqual([]);
        const left = await store.db.selectFrom('resources').select('id').where('subscription_id', '=', sub).execute();
        expect(left).toEqual([]);
      });

      it('lists by type and by resource group, per subscription', async () => {
        const inv = inventory();
        const other = inventory();
        await hub(inv, 'rg-a');
        await inv.putResourceGroup('rg-b');
        const vnetB = await inv.putVirtualNetwork('rg-b', 'vnet-b', { addressPrefixes: ['10.20.0.0/16'], subnets: [{ name: 'snet-vms', addressPrefix: '10.20.1.0/24' }] });
        await nic(inv, 'nic-a', ids.subnetId(ids.virtualNetworkId(inv.subscriptionId, 'rg-a', 'vnet-hub'), 'snet-vms'), '10.90.1.4', 'rg-a');
        await nic(inv, 'nic-b', ids.subnetId(vnetB.id, 'snet-vms'), '10.20.1.4', 'rg-b');
        await hub(other, 'rg-a');

        const names = async (type: ids.InventoryType, filter: { resourceGroup?: string; parentId?: string } = {}) => (await inv.list(type, filter)).map((r) => r.name).sort();
        expect(await names(ids.TYPES.resourceGroup)).toEqual(['rg-a', 'rg-b']);
        expect(await names(ids.TYPES.virtualNetwork)).toEqual(['vnet-b', 'vnet-hub']);
        expect(await names(ids.TYPES.virtualNetwork, { resourceGroup: 'RG-A' })).toEqual(['vnet-hub']);
        expect(await names(ids.TYPES.networkInterface)).toEqual(['nic-a', 'nic-b']);
        expect(await names(ids.TYPES.networkInterface, { resourceGroup: 'rg-b' })).toEqual(['nic-b']);
        expect(await names(ids.TYPES.subnet, { resourceGroup: 'rg-a' })).toEqual(['AzureBastionSubnet', 'snet-vms']);
        expect(await names(ids.TYPES.subnet, { parentId: vnetB.id })).toEqual(['snet-vms']);
        expect(await names(ids.TYPES.virtualMachine)).toEqual([]);
        expect(await names(ids.TYPES.networkInterface, { resourceGroup: 'rg-none' })).toEqual([]);
        // The other subscription sees only its own.
        expect((await other.list(ids.TYPES.virtualNetwork)).map((v) => v.id)).toEqual([ids.virtualNetworkId(other.subscriptionId, 'rg-a', 'vnet-hub')]);
        expect(await other.list(ids.TYPES.networkInterface)).toEqual([]);
      });
    });
  });
}

/** Awaits a promise that must fail with a BastionError of `code` whose message contains every part. */
async function refused(promise: Promise<unknown>, code: ErrorCode, ...parts: string[]): Promise<BastionError> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  if (error === undefined) throw new Error(`expected ${code}${parts.length ? ` (${parts.join(' … ')})` : ''}, but it succeeded`);
  expect(error, String(error)).toBeInstanceOf(BastionError);
  const e = error as BastionError;
  expect({ code: e.code, message: e.message }).toMatchObject({ code });
  for (const part of parts) expect(e.message).toContain(part);
  return e;
}
