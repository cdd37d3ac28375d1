import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import { validationError } from '../errors.js';
import type { Principal, PrincipalType } from './types.js';

/** The principal for a user: their ID and the IDs of the groups they belong to (one query). */
export async function loadPrincipal(db: Kysely<Database>, userId: string): Promise<Principal> {
  const rows = await db.selectFrom('group_members').select('group_id').where('user_id', '=', userId).orderBy('group_id').execute();
  return { userId, groupIds: rows.map((r) => r.group_id) };
}

/**
 * A user or group by name, case-insensitively; users first, as `az role assignment create --assignee`
 * resolves. Used by the API, the CLI and the configuration's declared assignments.
 */
export async function resolvePrincipalByName(db: Kysely<Database>, name: string, type?: PrincipalType): Promise<{ type: PrincipalType; id: string; name: string }> {
  const key = name.toLowerCase();
  if (type !== 'group') {
    const u = await db.selectFrom('users').select(['id', 'username']).where('username_key', '=', key).executeTakeFirst();
    if (u) return { type: 'user', id: u.id, name: u.username };
  }
  if (type !== 'user') {
    const g = await db.selectFrom('groups').select(['id', 'name']).where('name_key', '=', key).executeTakeFirst();
    if (g) return { type: 'group', id: g.id, name: g.name };
  }
  throw validationError(`assignee ${JSON.stringify(name)} is not a known ${type ?? 'user or group'}.`);
}
