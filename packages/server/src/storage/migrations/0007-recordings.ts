import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect-name.js';

/**
 * 0007: the index of session recordings (design 0006). One row per recorded session, inserted before the
 * first byte is written and completed when it ends, so listing never scans the disk. `file` is relative to
 * `recordings.dir`; `status` is recording | complete | failed | interrupted (the last set at start-up for
 * rows a killed bastion left open). Retention deletes rows with their files. Append-only: never edit a
 * released migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('recordings')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('target_resource_id', 'text', (c) => c.notNull())
    .addColumn('target_resource_id_key', 'text', (c) => c.notNull())
    .addColumn('principal_name', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text')
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('recordings_start').on('recordings').column('start_time').execute();
  await db.schema.createIndex('recordings_target').on('recordings').columns(['target_resource_id_key', 'start_time']).execute();
}
