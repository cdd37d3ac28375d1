import type { Kysely } from 'kysely';
import type { BastionConfig } from './config/schema.js';
import { generateOneTimePassword } from './identity/password.js';
import type { UserDirectory } from './identity/users.js';
import { resolvePrincipalByName, TENANT_SCOPE, type RoleStore } from './rbac/index.js';
import type { Database } from './storage/schema.js';

const FIRST_ADMIN_SETTING = 'first_admin_created';

/**
 * First start: creates the first admin with a one-time password (to be replaced at first sign-in) and
 * returns it so it can be printed once. Later starts return undefined: the password is never stored
 * in clear nor printed again.
 */
export async function ensureFirstAdmin(db: Kysely<Database>, users: UserDirectory, roles: RoleStore, config: BastionConfig): Promise<{ username: string; password: string } | undefined> {
  const done = await db.selectFrom('settings').select('value').where('key', '=', FIRST_ADMIN_SETTING).executeTakeFirst();
  if (done) return undefined;
  const username = config.admin.username;
  const password = generateOneTimePassword();
  const admin = await users.create({ username, password, displayName: 'Administrator', isAdmin: true, mustChangePassword: true, skipPolicy: true });
  // Owner at the root scope: every subscription, plus users, groups, audit and access control.
  await roles.createRoleAssignment({ principalType: 'user', principalId: admin.id, role: 'Owner', scope: TENANT_SCOPE });
  // Owner's `*` does not read secret values (a data action, as in Azure): the first admin also gets Key Vault
  // Administrator so that Connect with a vault secret works out of the box.
  await roles.createRoleAssignment({ principalType: 'user', principalId: admin.id, role: 'Key Vault Administrator', scope: TENANT_SCOPE });
  await db.insertInto('settings').values({ key: FIRST_ADMIN_SETTING, value: new Date().toISOString() }).execute();
  return { username, password };
}

/** Users declared in the configuration: created when missing (the password is only used on creation). */
export async function ensureDeclaredUsers(users: UserDirectory, config: BastionConfig): Promise<void> {
  const existing = new Set((await users.list()).map((u) => u.username.toLowerCase()));
  for (const u of config.users) {
    if (!existing.has(u.username.toLowerCase())) {
      if (!u.password && !u.passwordHash) throw new Error(`users[${u.username}]: password or passwordHash is required to create the user.`);
      await users.create({ username: u.username, password: u.password, passwordHash: u.passwordHash, displayName: u.displayName, skipPolicy: true });
    }
    const groups = new Set((await users.listGroups()).map((g) => g.name.toLowerCase()));
    for (const g of u.groups ?? []) {
      if (!groups.has(g.toLowerCase())) await users.createGroup(g);
      await users.setMembership(g, u.username, true);
    }
  }
}

/** Role assignments declared in the configuration: created when missing, never removed. */
export async function ensureDeclaredRoleAssignments(db: Kysely<Database>, roles: RoleStore, config: BastionConfig): Promise<void> {
  for (const [i, a] of (config.roleAssignments ?? []).entries()) {
    const where = `roleAssignments[${i}]`;
    const found = await resolvePrincipalByName(db, a.assignee, a.assigneeType).catch((err: Error) => {
      throw new Error(`${where}: ${err.message}`, { cause: err });
    });
    const principal = { principalType: found.type, principalId: found.id };
    const role = await roles.findRoleDefinition(a.role);
    if (!role) throw new Error(`${where}: role ${a.role} does not exist.`);
    const existing = await roles.listRoleAssignments({ scope: a.scope, principal: { type: principal.principalType, id: principal.principalId } });
    if (existing.some((x) => x.roleDefinitionId === role.id)) continue;
    try {
      await roles.createRoleAssignment({ ...principal, role: role.id, scope: a.scope });
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
    }
  }
}
