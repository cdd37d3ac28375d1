import type { Kysely } from 'kysely';

/**
 * Runs `fn` in `db`'s transaction when `db` already is one, else in a new transaction. Kysely cannot nest
 * transactions, and a store handed a caller's transaction (so that its change and the audit event commit
 * together, design 0009) must join it rather than open its own.
 */
export function inTransaction<D, T>(db: Kysely<D>, fn: (tx: Kysely<D>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
