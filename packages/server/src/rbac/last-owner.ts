import type { Kysely } from 'kysely';
import { BastionError } from '../errors.js';
import type { Database } from '../storage/schema.js';
import { TENANT_SCOPE } from './actions.js';
import { OWNER } from './builtin-roles.js';
import type { RbacTables } from './types.js';

type Db = Kysely<Database & RbacTables>;

const ownerRowsAtRoot = (db: Db) => db.selectFrom('role_assignments').where('role_definition_id', '=', OWNER.id).where('scope_key', '=', TENANT_SCOPE);

/** Enabled users holding Owner at '/', directly or through a group. */
async function ownerCount(db: Db): Promise<number> {
  const direct = ownerRowsAtRoot(db).where('principal_type', '=', 'user').select('principal_id');
  const viaGroup = ownerRowsAtRoot(db).where('principal_type', '=', 'group').innerJoin('group_members', 'group_members.group_id', 'role_assignments.principal_id').select('group_members.user_id');
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('disabled', '=', 0)
    .where((eb) => eb.or([eb('id', 'in', direct), eb('id', 'in', viaGroup)]))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Every guarded change starts by writing (a no-op) to the Owner-at-'/' assignment rows, so that two of
 * them never decide on the same count. PostgreSQL: the UPDATE row-locks those rows until commit, and a
 * second transaction waiting on them re-reads them once the first commits (READ COMMITTED gives each
 * later statement a fresh snapshot, so its count includes the first one's removal). SQLite: any UPDATE,
 * even of no row, takes the database's write lock, so a second process (the CLI) waits on busy_timeout
 * instead of counting from a stale snapshot; inside one process Kysely runs one transaction at a time.
 */
async function lockOwnerRows(db: Db): Promise<void> {
  await db
    .updateTable('role_assignments')
    .set((eb) => ({ scope_key: eb.ref('scope_key') }))
    .where('role_definition_id', '=', OWNER.id)
    .where('scope_key', '=', TENANT_SCOPE)
    .execute();
}

export const lastOwnerError = (change: string): BastionError =>
  new BastionError('BST_ERR_LAST_OWNER', `${change} would leave no enabled user with the Owner role at scope "/", and nobody could manage users and access any more. Assign Owner at "/" to another user first.`);

/**
 * Runs `fn` (a removal: assignment, membership, user, group) in one transaction and rolls it back with
 * BST_ERR_LAST_OWNER when it took the last enabled Owner at '/' away. Counting after the change, on the
 * transaction's own view, covers every path (direct assignment, group, cascades) with one rule. An
 * installation that already has no Owner is left alone: the guard protects, it does not repair.
 * `fn` must do all its queries through the `tx` it is given (on SQLite the outer handle would wait for
 * the connection the transaction holds). Inside a caller's transaction it runs in that transaction.
 */
export async function withLastOwnerGuard<T>(db: Kysely<Database>, change: string, fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  const run = async (tx: Kysely<Database>): Promise<T> => {
    const rbac = tx.withTables<RbacTables>();
    await lockOwnerRows(rbac);
    const before = await ownerCount(rbac);
    const out = await fn(tx);
    if (before > 0 && (await ownerCount(rbac)) === 0) throw lastOwnerError(change);
    return out;
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}
