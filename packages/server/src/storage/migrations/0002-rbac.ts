import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect-name.js';

/**
 * 0002: RBAC. Custom role definitions (built-in roles live in code) and role assignments of a user or a
 * group to a role at a scope. Scopes and names are matched case-insensitively through their `_key`
 * columns. No foreign key from assignments to definitions: built-in role IDs have no row. Append-only:
 * never edit a released migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('role_definitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('not_actions', 'text', (c) => c.notNull())
    .addColumn('assignable_scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('role_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('principal_type', 'text', (c) => c.notNull().check(sql`principal_type in ('user', 'group')`))
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('role_definition_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('scope_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addUniqueConstraint('role_assignments_unique', ['principal_type', 'principal_id', 'role_definition_id', 'scope_key'])
    .execute();
  await db.schema.createIndex('role_assignments_principal').on('role_assignments').columns(['principal_id', 'principal_type']).execute();
  await db.schema.createIndex('role_assignments_scope').on('role_assignments').column('scope_key').execute();
  await db.schema.createIndex('role_assignments_role').on('role_assignments').column('role_definition_id').execute();
}
