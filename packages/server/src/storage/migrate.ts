import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { DialectName } from './dialect-name.js';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002 from './migrations/0002-rbac.js';
import * as m0003 from './migrations/0003-ssh-host-keys.js';
import * as m0004 from './migrations/0004-vault.js';
import * as m0005 from './migrations/0005-bastion-audit-logs.js';
import * as m0006 from './migrations/0006-rdp-certificates.js';
import * as m0007 from './migrations/0007-recordings.js';
import * as m0008 from './migrations/0008-cli-tokens.js';
import * as m0009 from './migrations/0009-shareable-links.js';
import * as m0010 from './migrations/0010-crash-figures.js';
import * as m0011 from './migrations/0011-health-probe.js';

/**
 * Numbered, append-only migrations. A new migration is a new file and a new line here; released files
 * are never edited. Each receives the dialect for the rare type that differs (bigserial vs autoincrement).
 */
type DialectMigration = { up(db: Kysely<unknown>, dialect: DialectName): Promise<void> };
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001-initial': m0001,
  '0002-rbac': m0002,
  '0003-ssh-host-keys': m0003,
  '0004-vault': m0004,
  '0005-bastion-audit-logs': m0005,
  '0006-rdp-certificates': m0006,
  '0007-recordings': m0007,
  '0008-cli-tokens': m0008,
  '0009-shareable-links': m0009,
  '0010-crash-figures': m0010,
  '0011-health-probe': m0011,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => m.up(db, this.dialect) }]),
    );
  }
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: DialectName): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect), migrationTableName: 'bastion_migrations', migrationLockTableName: 'bastion_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error(`Database migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export const MIGRATION_NAMES = Object.keys(MIGRATIONS);
