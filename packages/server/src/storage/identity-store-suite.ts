import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import { UserDirectory } from '../identity/users.js';
import { WebSessions } from '../identity/web-sessions.js';
import { PASSWORD, refused, unique, type StoreSuiteContext } from './store-kit-suite.js';

/** The identity part of the storage compliance suite: users and groups, web sessions, the audit log. */
export function identityStoreSuite({ store, open }: StoreSuiteContext): void {
  describe('UserDirectory', () => {
    it('creates a user and refuses a duplicate name case-insensitively', async () => {
      const users = new UserDirectory(store().db);
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
      const users = new UserDirectory(store().db);
      await refused(users.create({ username: 'bad name!', password: PASSWORD }), 'BST_ERR_VALIDATION', 'username');
      await refused(users.create({ username: unique('weak'), password: 'short1' }), 'BST_ERR_VALIDATION', 'at least 12 characters');
      await refused(users.create({ username: unique('nopass') }), 'BST_ERR_VALIDATION', 'password is required');
    });

    it('verifies logins: right password, wrong password, unknown user', async () => {
      const users = new UserDirectory(store().db);
      const username = unique('bob');
      const bob = await users.create({ username, password: PASSWORD });
      expect(await users.verifyLogin(username, PASSWORD)).toEqual(bob);
      expect(await users.verifyLogin(username.toUpperCase(), PASSWORD)).toEqual(bob);
      expect(await users.verifyLogin(username, `${PASSWORD}x`)).toBeNull();
      expect(await users.verifyLogin(unique('ghost'), PASSWORD)).toBeNull();
      expect(await users.verifyLogin('not a valid name', PASSWORD)).toBeNull();
    });

    it('changes a password: checks the current one, clears mustChangePassword', async () => {
      const users = new UserDirectory(store().db);
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
      const row = await store().db.selectFrom('users').select('password_hash').where('id', '=', carol.id).executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^scrypt\$/);
      expect(row.password_hash).not.toContain(next);
    });

    it('manages groups and memberships (names case-insensitive)', async () => {
      const users = new UserDirectory(store().db);
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
      const users = new UserDirectory(store().db);
      const sessions = new WebSessions(store().db, 60_000);
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
      expect(await store().db.selectFrom('web_sessions').select('id_hash').where('user_id', '=', frank.id).execute()).toEqual([]);
      expect(await store().db.selectFrom('group_members').select('group_id').where('user_id', '=', frank.id).execute()).toEqual([]);
      expect((await users.listGroups()).find((g) => g.name === group)?.members).toEqual([other.username]);
      expect(await sessions.lookup(kept.cookie)).toMatchObject({ userId: other.id });
      await refused(users.delete(frank.username), 'BST_ERR_NOT_FOUND');
    });
  });

  describe('WebSessions', () => {
    const newUser = async (): Promise<string> => (await new UserDirectory(store().db).create({ username: unique('sess'), passwordHash: 'scrypt$placeholder' })).id;

    it('creates and looks up a session; the cookie is never stored in clear', async () => {
      const userId = await newUser();
      const sessions = new WebSessions(store().db, 60 * 60_000);
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

      const rows = await store().db.selectFrom('web_sessions').selectAll().where('user_id', '=', userId).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.id_hash).toBe(createHash('sha256').update(cookie).digest('hex'));
      expect(JSON.stringify(rows)).not.toContain(cookie);
      expect(rows[0]).toMatchObject({ client_ip: '192.0.2.10', user_agent: 'Mozilla/5.0 test', csrf_token: session.csrfToken });
    });

    it('an expired session is gone, and lookup removes its row', async () => {
      const userId = await newUser();
      const expired = await new WebSessions(store().db, -1000).create(userId, '192.0.2.11', 'test');
      const shortLived = new WebSessions(store().db, 300);
      const soon = await shortLived.create(userId, '192.0.2.11', 'test');
      expect(await shortLived.lookup(soon.cookie)).toBeDefined();

      expect(await shortLived.lookup(expired.cookie)).toBeUndefined();
      const left = await store().db.selectFrom('web_sessions').select('id_hash').where('user_id', '=', userId).execute();
      expect(left).toHaveLength(1);

      await new Promise((r) => setTimeout(r, 400));
      const live = await new WebSessions(store().db, 60_000).create(userId, '192.0.2.11', 'test');
      await shortLived.pruneExpired();
      expect(await store().db.selectFrom('web_sessions').select('id_hash').where('user_id', '=', userId).execute()).toHaveLength(1);
      expect(await shortLived.lookup(soon.cookie)).toBeUndefined();
      expect(await shortLived.lookup(live.cookie)).toMatchObject({ userId });
    });

    it('destroys one session, or all of a user’s sessions except one', async () => {
      const alice = await newUser();
      const bob = await newUser();
      const sessions = new WebSessions(store().db, 60_000);
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
      const audit = new AuditLog(store().db);
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
}
