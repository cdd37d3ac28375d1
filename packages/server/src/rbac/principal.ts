import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import type { Principal } from './types.js';

/** The principal for a user: their ID and the IDs of the groups they belong to (one query). */
export async function loadPrincipal(db: Kysely<Database>, userId: string): Promise<Principal> {
  const rows = await db.selectFrom('group_members').select('group_id').where('user_id', '=', userId).orderBy('group_id').execute();
  return { userId, groupIds: rows.map((r) => r.group_id) };
}
