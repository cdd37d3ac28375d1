import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect-name.js';

/**
 * 0003: SSH host keys pinned on first use (trust on first use), one per VM and port. `vm_id_key` is the
 * VM's resource ID lowercased (ARM IDs are case-insensitive). `accepted_by` is null for a key recorded
 * automatically on first use and names the administrator who accepted a changed key. Append-only: never
 * edit a released migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('ssh_host_keys')
    .addColumn('vm_id_key', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('accepted_by', 'text')
    .addPrimaryKeyConstraint('ssh_host_keys_pk', ['vm_id_key', 'port'])
    .execute();
}
