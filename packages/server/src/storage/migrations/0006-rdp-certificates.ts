import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect-name.js';

/**
 * 0006: the TLS certificate of each VM's RDP port, pinned on first use (design 0004). One row per VM
 * (`vm_id_key`, the resource ID lowercased) and port. `accepted_by` is null when pinned automatically on
 * first use and names the administrator otherwise. The `offered_*` columns keep the certificate of the
 * latest connection refused for a mismatch (null when there was none since the pin), so the portal can
 * show what changed and an administrator can accept exactly that. Append-only: never edit a released migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('rdp_certificates')
    .addColumn('vm_id_key', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text', (c) => c.notNull())
    .addColumn('pinned_at', 'text', (c) => c.notNull())
    .addColumn('accepted_by', 'text')
    .addColumn('offered_fingerprint', 'text')
    .addColumn('offered_subject', 'text')
    .addColumn('offered_valid_from', 'text')
    .addColumn('offered_valid_to', 'text')
    .addColumn('offered_at', 'text')
    .addPrimaryKeyConstraint('rdp_certificates_pk', ['vm_id_key', 'port'])
    .execute();
}
