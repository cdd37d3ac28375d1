import type { Kysely } from 'kysely';
import type { BastionConfig } from './config/schema.js';
import { generateOneTimePassword } from './identity/password.js';
import type { UserDirectory } from './identity/users.js';
import type { Database } from './storage/schema.js';

const FIRST_ADMIN_SETTING = 'first_admin_created';

/**
 * First start: creates the first admin with a one-time password (to be replaced at first sign-in) and
 * returns it so it can be printed once. Later starts return undefined: the password is never stored
 * in clear nor printed again.
 */
export async function ensureFirstAdmin(db: Kysely<Database>, users: UserDirectory, config: BastionConfig): Promise<{ username: string; password: string } | undefined> {
  const done = await db.selectFrom('settings').select('value').where('key', '=', FIRST_ADMIN_SETTING).executeTakeFirst();
  if (done) return undefined;
  const username = config.admin.username;
  const password = generateOneTimePassword();
  await users.create({ username, password, displayName: 'Administrator', isAdmin: true, mustChangePassword: true, skipPolicy: true });
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
