import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DialectName } from './dialect-name.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';
import { notWritable } from './writable-folder.js';

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Human-readable location for logs (never includes a password). */
  where: string;
  close(): Promise<void>;
}

/** Opens the database named by `url` (postgres://… or sqlite://path), or the SQLite file `sqliteFile`. */
export async function openStore(opts: { url?: string | undefined; sqliteFile: string; /** SQLite only; the benchmark compares NORMAL. */ synchronous?: 'FULL' | 'NORMAL' }): Promise<Store> {
  const url = opts.url;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // A dropped idle connection must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const safe = new URL(url);
    safe.password = safe.password ? '***' : '';
    await migrateToLatest(db as Kysely<unknown>, 'postgres');
    return { db, dialect: 'postgres', where: safe.toString(), close: () => db.destroy() };
  }
  const file = resolve(url ? url.replace(/^sqlite:\/\//, '') : opts.sqliteFile);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // The file holds password hashes, the audit trail and encrypted secrets. SQLite would create it 0644
  // (less the umask); created 0600 here first, it stays so, and SQLite gives -wal, -shm and -journal the
  // main file's permissions. An existing file keeps its mode ('a' neither truncates nor chmods).
  try {
    closeSync(openSync(file, 'a', 0o600));
  } catch (err) {
    // Else SQLite would open it read-only and the first write would fail far from the cause.
    throw notWritable(file, 'database file', 'database.url or dataDir', err);
  }
  const sqlite = new SqliteDatabase(file);
  // WAL: readers never block the writer, and a crash leaves committed rows intact.
  sqlite.pragma('journal_mode = WAL');
  // FULL: every commit is fsynced before it returns. NORMAL only survives a crash of the process: after
  // an OS-level failure (the file system went read-only) the last ~10 s of commits were gone (issue #13).
  // The cost is measured in bench/scenarios/storage.ts (docs/benchmarks.md).
  sqlite.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateToLatest(db as Kysely<unknown>, 'sqlite');
  return { db, dialect: 'sqlite', where: file, close: () => db.destroy() };
}
