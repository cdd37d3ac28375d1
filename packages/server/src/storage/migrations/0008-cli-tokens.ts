import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect-name.js';

/**
 * 0008: API tokens for the CLI (`bastion login`, design 0007). Only the SHA-256 of the secret is stored
 * (`token_hash`), like web sessions: a leaked database yields no usable token. `id` is the public handle
 * used to list and revoke; `expires_at` bounds every token. Append-only: never edit a released migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('cli_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('client_ip', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('cli_tokens_user').on('cli_tokens').column('user_id').execute();
}
