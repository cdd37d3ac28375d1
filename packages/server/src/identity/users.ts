import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { BastionError, conflict, notFound, validationError } from '../errors.js';
import type { Database, UsersTable } from '../storage/schema.js';
import { withLastOwnerGuard } from '../rbac/last-owner.js';
import type { RbacTables } from '../rbac/types.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  isAdmin: boolean;
  mustChangePassword: boolean;
  /** A disabled user cannot sign in; their cookies and tokens stop working at once (getById skips them). */
  disabled: boolean;
  groups: string[];
}

const USERNAME = /^[a-zA-Z0-9_.-]{1,64}$/;
const GROUPNAME = /^[a-zA-Z0-9_. -]{1,64}$/;
// A fixed hash so that an unknown username costs as much time as a wrong password.
let dummyHash: Promise<string> | undefined;

export class UserDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  /** The same directory over a caller's transaction (design 0009: the change and its audit event commit together). */
  in(tx: Kysely<Database>): UserDirectory {
    return new UserDirectory(tx);
  }

  /**
   * Checks a new password against the policy and hashes it. scrypt takes ~100 ms: done before a
   * transaction opens, so that it does not hold the database (on SQLite, the process's one connection).
   */
  async hashNewPassword(password: string): Promise<string> {
    const problem = passwordProblem(password);
    if (problem) throw validationError(problem);
    return hashPassword(password);
  }

  async create(input: { username: string; password?: string; passwordHash?: string; displayName?: string; isAdmin?: boolean; mustChangePassword?: boolean; skipPolicy?: boolean }): Promise<UserView> {
    if (!USERNAME.test(input.username)) throw validationError('username must be 1–64 letters, digits, "_", "." or "-".');
    if (input.password !== undefined && !input.skipPolicy) {
      const problem = passwordProblem(input.password);
      if (problem) throw validationError(problem);
    }
    const hash = input.passwordHash ?? (input.password !== undefined ? await hashPassword(input.password) : undefined);
    if (!hash) throw validationError('A password is required.');
    if (await this.findRow(input.username)) throw conflict(`User ${input.username} already exists.`);
    const now = new Date().toISOString();
    const row: UsersTable = {
      id: randomUUID(),
      username: input.username,
      username_key: input.username.toLowerCase(),
      display_name: input.displayName ?? input.username,
      password_hash: hash,
      is_admin: input.isAdmin ? 1 : 0,
      must_change_password: input.mustChangePassword ? 1 : 0,
      disabled: 0,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('users').values(row).execute();
    return this.view(row);
  }

  /** Returns the user when the password matches; null otherwise (same cost whether or not the user exists). */
  async verifyLogin(username: string, password: string): Promise<UserView | null> {
    const row = USERNAME.test(username) ? await this.findRow(username) : undefined;
    if (!row) {
      dummyHash ??= hashPassword('not-a-real-password-0');
      await verifyPassword(password, await dummyHash);
      return null;
    }
    if (!(await verifyPassword(password, row.password_hash))) return null;
    // Only someone who knows the password learns that the account is disabled (and so whom to ask).
    if (row.disabled) throw new BastionError('BST_ERR_ACCOUNT_DISABLED');
    return this.view(row);
  }

  async changePassword(userId: string, current: string, next: string): Promise<void> {
    await this.setPasswordHash(userId, await this.checkPasswordChange(userId, current, next));
  }

  /** Verifies the current password and the new one's policy; returns the new hash (scrypt, outside any transaction). */
  async checkPasswordChange(userId: string, current: string, next: string): Promise<string> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!row) throw notFound('The user');
    if (!(await verifyPassword(current, row.password_hash))) throw new BastionError('BST_ERR_VALIDATION', 'The current password is not correct.');
    if (current === next) throw validationError('The new password must differ from the current one.');
    return this.hashNewPassword(next);
  }

  /** Stores a hash made by `checkPasswordChange` and clears mustChangePassword. */
  async setPasswordHash(userId: string, hash: string): Promise<void> {
    const r = await this.db.updateTable('users').set({ password_hash: hash, must_change_password: 0, updated_at: new Date().toISOString() }).where('id', '=', userId).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw notFound('The user');
  }

  /**
   * An administrator's reset: stores `hash` (of a one-time password made by the caller) and sets
   * mustChangePassword, so the user must choose a new password at their next sign-in.
   */
  async resetPassword(username: string, hash: string): Promise<UserView> {
    const row = await this.findRow(username);
    if (!row) throw notFound(`User ${username}`);
    await this.db.updateTable('users').set({ password_hash: hash, must_change_password: 1, updated_at: new Date().toISOString() }).where('id', '=', row.id).execute();
    return this.view({ ...row, password_hash: hash, must_change_password: 1 });
  }

  /**
   * Disables or enables a user. Disabling runs under the last-Owner guard: an Owner at '/' only counts
   * while enabled, so disabling the last one is refused (BST_ERR_LAST_OWNER) like deleting them.
   */
  async setDisabled(username: string, disabled: boolean): Promise<UserView> {
    const change = async (tx: Kysely<Database>): Promise<UserView> => {
      const dir = new UserDirectory(tx);
      const row = await dir.findRow(username);
      if (!row) throw notFound(`User ${username}`);
      await tx.updateTable('users').set({ disabled: disabled ? 1 : 0, updated_at: new Date().toISOString() }).where('id', '=', row.id).execute();
      return dir.view({ ...row, disabled: disabled ? 1 : 0 });
    };
    return disabled ? withLastOwnerGuard(this.db, `Disabling user ${username}`, change) : change(this.db);
  }

  async get(username: string): Promise<UserView> {
    const row = await this.findRow(username);
    if (!row) throw notFound(`User ${username}`);
    return this.view(row);
  }

  async getById(id: string): Promise<UserView | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && !row.disabled ? this.view(row) : undefined;
  }

  async list(): Promise<UserView[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('username_key').execute();
    return Promise.all(rows.map((r) => this.view(r)));
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * Deletes the user with their role assignments (memberships, sessions and tokens go by cascade), in one
   * transaction; refused (BST_ERR_LAST_OWNER) when they are the last enabled Owner at '/'.
   */
  async delete(username: string): Promise<void> {
    await withLastOwnerGuard(this.db, `Deleting user ${username}`, async (tx) => {
      const row = await new UserDirectory(tx).findRow(username);
      if (!row) throw notFound(`User ${username}`);
      await tx.withTables<RbacTables>().deleteFrom('role_assignments').where('principal_type', '=', 'user').where('principal_id', '=', row.id).execute();
      await tx.deleteFrom('users').where('id', '=', row.id).execute();
    });
  }

  async createGroup(name: string): Promise<{ id: string; name: string }> {
    if (!GROUPNAME.test(name)) throw validationError('group name must be 1–64 letters, digits, spaces, "_", "." or "-".');
    if (await this.findGroup(name)) throw conflict(`Group ${name} already exists.`);
    const group = { id: randomUUID(), name, name_key: name.toLowerCase(), created_at: new Date().toISOString() };
    await this.db.insertInto('groups').values(group).execute();
    return { id: group.id, name };
  }

  async listGroups(): Promise<Array<{ id: string; name: string; members: string[] }>> {
    const groups = await this.db.selectFrom('groups').selectAll().orderBy('name_key').execute();
    const members = await this.db.selectFrom('group_members').innerJoin('users', 'users.id', 'group_members.user_id').select(['group_members.group_id', 'users.username']).execute();
    return groups.map((g) => ({ id: g.id, name: g.name, members: members.filter((m) => m.group_id === g.id).map((m) => m.username) }));
  }

  /** Deletes the group, its memberships and its role assignments in one transaction; refused for the last Owner at '/'. */
  async deleteGroup(name: string): Promise<void> {
    await withLastOwnerGuard(this.db, `Deleting group ${name}`, async (tx) => {
      const group = await new UserDirectory(tx).findGroup(name);
      if (!group) throw notFound(`Group ${name}`);
      await tx.withTables<RbacTables>().deleteFrom('role_assignments').where('principal_type', '=', 'group').where('principal_id', '=', group.id).execute();
      await tx.deleteFrom('group_members').where('group_id', '=', group.id).execute();
      await tx.deleteFrom('groups').where('id', '=', group.id).execute();
    });
  }

  /** Adds or removes a member; a removal is refused when it takes away the last enabled Owner at '/'. */
  async setMembership(groupName: string, username: string, member: boolean): Promise<void> {
    const change = async (tx: Kysely<Database>): Promise<void> => {
      const dir = new UserDirectory(tx);
      const group = await dir.findGroup(groupName);
      if (!group) throw notFound(`Group ${groupName}`);
      const user = await dir.findRow(username);
      if (!user) throw notFound(`User ${username}`);
      await tx.deleteFrom('group_members').where('group_id', '=', group.id).where('user_id', '=', user.id).execute();
      if (member) await tx.insertInto('group_members').values({ group_id: group.id, user_id: user.id }).execute();
    };
    await (member ? change(this.db) : withLastOwnerGuard(this.db, `Removing ${username} from group ${groupName}`, change));
  }

  private findRow(username: string): Promise<UsersTable | undefined> {
    return this.db.selectFrom('users').selectAll().where('username_key', '=', username.toLowerCase()).executeTakeFirst();
  }

  private findGroup(name: string) {
    return this.db.selectFrom('groups').selectAll().where('name_key', '=', name.toLowerCase()).executeTakeFirst();
  }

  private async view(row: UsersTable): Promise<UserView> {
    const groups = await this.db
      .selectFrom('group_members')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select('groups.name')
      .where('group_members.user_id', '=', row.id)
      .orderBy('groups.name_key')
      .execute();
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      isAdmin: row.is_admin === 1,
      mustChangePassword: row.must_change_password === 1,
      disabled: row.disabled === 1,
      groups: groups.map((g) => g.name),
    };
  }
}
