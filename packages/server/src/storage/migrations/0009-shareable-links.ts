import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect-name.js';

/**
 * 0009: shareable links (design 0007). Only the SHA-256 of the link's secret is stored (`secret_hash`):
 * the URL is shown once, at creation, and a leaked database yields no working link. `bastion_id_key` and
 * `vm_id_key` are the lowercased resource IDs (ARM IDs are case-insensitive) for the per-bastion limit and
 * for deleting by VM. `expires_at` is null for a link without expiry. Append-only.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('shareable_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('bastion_id', 'text', (c) => c.notNull())
    .addColumn('bastion_id_key', 'text', (c) => c.notNull())
    .addColumn('vm_id', 'text', (c) => c.notNull())
    .addColumn('vm_id_key', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .execute();
  await db.schema.createIndex('shareable_links_bastion').on('shareable_links').column('bastion_id_key').execute();
}
