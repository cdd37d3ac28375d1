import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BastionConfig } from './config/schema.js';
import { assertWritableFolder, notWritable } from './storage/writable-folder.js';

/**
 * Creates (0700) and checks the folders the bastion writes, before anything is opened: a read-only or
 * foreign-owned data folder used to surface as "inventory.resourceGroups[rg-testbed]: attempt to write a
 * readonly database" (issue #13); now the start names the folder, the reason and the setting.
 * With PostgreSQL the data folder only holds key files that may already exist (and be mounted read-only
 * on purpose), so it is created but not probed; creating a key there names the file if it fails.
 */
export function prepareFolders(config: BastionConfig, dataDir: string, recordingsDir: string): void {
  const sqliteDir = sqliteFolder(config, dataDir);
  const folders: Array<[string, string, string, boolean]> = [
    [dataDir, 'data folder', 'dataDir or BASTION_DATA_DIR', sqliteDir === dataDir],
    [recordingsDir, 'recordings folder', 'recordings.dir', true],
  ];
  if (sqliteDir && sqliteDir !== dataDir) folders.push([sqliteDir, 'database folder', 'database.url', true]);
  for (const [dir, what, setting, probe] of folders) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw notWritable(dir, what, setting, err);
    }
    if (probe) assertWritableFolder(dir, what, setting);
  }
}

/** The folder of the SQLite file (where its -wal and -shm go too), or undefined for PostgreSQL. */
function sqliteFolder(config: BastionConfig, dataDir: string): string | undefined {
  const url = config.database.url;
  if (url && /^postgres(ql)?:\/\//.test(url)) return undefined;
  return url ? dirname(resolve(url.replace(/^sqlite:\/\//, ''))) : dataDir;
}
