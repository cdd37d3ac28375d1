import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect-name.js';

/**
 * 0011: one row per probe name that `/readyz` rewrites (cached ~1.5 s) to prove the database takes a
 * committed write, not merely answers `select 1` (issue #13: readiness stayed 200 while every write
 * failed). A rolled-back write would not do: SQLite discards it in memory and never touches the disk.
 * Append-only: never edit a released migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('health_probe')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .execute();
}
