import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Command } from 'commander';
import { loadConfig, type BastionConfig } from '../../server/src/config/index.js';
import { fsyncDir, writeFileDurably } from '../../server/src/storage/durable-file.js';
import { DEFAULT_VAULT_KEY_FILE } from '../../server/src/vault/master-key-file.js';
import type { GlobalOptions } from './context.js';
import type { Io } from './io.js';
import { formatResult } from './output.js';

export interface BackupResult {
  destination: string;
  database: { kind: 'sqlite'; source: string; file: string; integrity: string } | { kind: 'postgres'; hint: string };
  /** Key and certificate files copied (source → file in the backup). */
  files: Array<{ source: string; file: string }>;
  notes: string[];
}

/**
 * `bastion backup <dest-dir>`: a consistent copy of what a restore needs, safe while the server runs.
 * SQLite goes through `VACUUM INTO`: one read transaction, so the copy is a single committed state even
 * while the server writes (WAL lets it go on meanwhile), unlike a `cp` of bastion.db without its -wal.
 * The vault key goes with it (without it no stored secret can be decrypted), and the TLS files.
 * PostgreSQL is the operator's pg_dump: the command says so and copies the key files.
 */
export function registerBackupCommand(program: Command, io: Io): void {
  program
    .command('backup')
    .description('Write a consistent copy of the database (SQLite; safe while the bastion runs), vault.key and the TLS files to a new folder.')
    .argument('<dest-dir>', 'folder to create (or an empty one); files are written 0600 in a 0700 folder')
    .action(async (dest: string, _opts: unknown, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const { config } = loadConfig({ file: globals.config, env: io.env });
      io.stdout(formatResult(backup(config, resolve(dest)), globals.output === 'table' ? 'json' : globals.output));
    });
}

export function backup(config: BastionConfig, dest: string): BackupResult {
  if (existsSync(dest) && readdirSync(dest).length > 0) throw new Error(`${dest} is not empty: give a new or empty folder (a backup never overwrites another).`);
  mkdirSync(dest, { recursive: true, mode: 0o700 });
  const dataDir = resolve(config.dataDir);
  const notes: string[] = [];
  const files: BackupResult['files'] = [];
  const copy = (source: string, name: string): void => {
    const file = join(dest, name);
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    writeFileDurably(file, readFileSync(source), { mode: 0o600, exclusive: true });
    files.push({ source, file });
  };

  const url = config.database.url;
  let database: BackupResult['database'];
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const safe = new URL(url);
    safe.password = '';
    const hint = `PostgreSQL: back the database up with pg_dump, at the same time as this folder, e.g. pg_dump --format=custom --file ${join(dest, 'bastion.pgdump')} '${safe.toString()}' (password from PGPASSWORD or ~/.pgpass)`;
    database = { kind: 'postgres', hint };
    notes.push(hint);
  } else {
    const source = resolve(url ? url.replace(/^sqlite:\/\//, '') : join(dataDir, 'bastion.db'));
    if (!existsSync(source)) throw new Error(`No database at ${source}: check --config / dataDir.`);
    database = { kind: 'sqlite', source, ...copySqlite(source, join(dest, 'bastion.db')) };
  }

  // The vault key: the configured file, else the generated one; an inline key lives in the configuration.
  if (config.vault?.key !== undefined) notes.push('vault.key is inline in the configuration: back the configuration file up (securely) with this folder.');
  else if (config.vault?.keyFile) copy(resolve(config.vault.keyFile), DEFAULT_VAULT_KEY_FILE);
  else if (existsSync(join(dataDir, DEFAULT_VAULT_KEY_FILE))) copy(join(dataDir, DEFAULT_VAULT_KEY_FILE), DEFAULT_VAULT_KEY_FILE);
  else notes.push('No vault.key yet (no secret has been stored with a generated key).');

  const tls = config.server.tls;
  const pair = tls ? [tls.keyFile, tls.certFile] : [join(dataDir, 'tls', 'bastion-key.pem'), join(dataDir, 'tls', 'bastion-cert.pem')];
  for (const source of pair) if (existsSync(source)) copy(resolve(source), join('tls', basename(source)));
  if (tls) notes.push(`server.tls files copied into tls/ under their own names; restore them to ${tls.certFile} and ${tls.keyFile}.`);
  const recordings = resolve(config.recordings.dir ?? join(dataDir, 'recordings'));
  notes.push(`Recordings are not copied (they can be large and are append-only files): copy ${recordings} with rsync or your file backup.`);
  fsyncDir(dest);
  return { destination: dest, database, files, notes };
}

/** VACUUM INTO a 0600 file made first (SQLite would create it with the umask's mode), then checked. */
function copySqlite(source: string, file: string): { file: string; integrity: string } {
  closeSync(openSync(file, 'wx', 0o600));
  // Read-write (never created): a read-only connection cannot open a WAL database whose -shm is missing.
  const db = new SqliteDatabase(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(file);
  } finally {
    db.close();
  }
  const copy = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  let integrity: string;
  try {
    integrity = String(copy.pragma('integrity_check', { simple: true }));
  } finally {
    copy.close();
  }
  if (integrity !== 'ok') throw new Error(`The copy ${file} failed SQLite's integrity check: ${integrity}`);
  const fd = openSync(file, 'r+');
  try {
    // VACUUM INTO does not sync the new file; the backup must survive the machine going down after it.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { file, integrity };
}
