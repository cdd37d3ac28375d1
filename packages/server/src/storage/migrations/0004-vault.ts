import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect-name.js';

/**
 * 0004: Key vaults and their secrets (passwords and SSH private keys for the Connect form). `id_key`
 * columns are resource IDs lowercased (ARM IDs are case-insensitive). Secret values and passphrases are
 * stored only as AES-256-GCM ciphertext (base64) with their IV and tag; `key_id` names the master key they
 * were encrypted with. No foreign key from secrets to vaults (as 0002): the store refuses to delete a
 * vault that still holds secrets. Append-only: never edit a released migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('key_vaults')
    .addColumn('id_key', 'text', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('resource_group', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();

  await db.schema
    .createTable('key_vault_secrets')
    .addColumn('id_key', 'text', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('vault_id_key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('value_iv', 'text', (c) => c.notNull())
    .addColumn('value_ciphertext', 'text', (c) => c.notNull())
    .addColumn('value_tag', 'text', (c) => c.notNull())
    .addColumn('passphrase_iv', 'text')
    .addColumn('passphrase_ciphertext', 'text')
    .addColumn('passphrase_tag', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_by', 'text')
    .execute();
  await db.schema.createIndex('key_vault_secrets_vault').on('key_vault_secrets').column('vault_id_key').execute();
}
