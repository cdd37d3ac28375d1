import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `path` so that after a crash or power loss it is either absent (or its old content) or complete,
 * never empty or cut: the data goes to a temporary file in the same folder, is fsynced, then renamed (or
 * hard-linked, for `exclusive`) into place, and the folder is fsynced so the new name itself is on disk.
 * Without this, a file system that went read-only shortly after the first start left vault.key and the
 * TLS key 0 bytes (issue #13): every stored secret lost and the bastion unable to start.
 *
 * `exclusive`: fail with EEXIST when `path` exists (like flag 'wx'), atomically — two processes creating
 * the same key at once (server and CLI) cannot both win; the loser reads the winner's file.
 * `afterTempWrite` is a test seam: it runs once the temporary file is complete, before it takes the name.
 */
export function writeFileDurably(path: string, data: string | Uint8Array, opts: { mode?: number; exclusive?: boolean; afterTempWrite?: (tempPath: string) => void } = {}): void {
  const dir = dirname(path);
  // Dot-prefixed and unique: never mistaken for the real file, and two writers never share one.
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let placed = false;
  try {
    const fd = openSync(temp, 'wx', opts.mode ?? 0o600);
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    opts.afterTempWrite?.(temp);
    if (opts.exclusive) {
      // link() refuses an existing name, which rename() would silently replace.
      linkSync(temp, path);
      placed = true;
      unlinkSync(temp);
    } else {
      renameSync(temp, path);
      placed = true;
    }
    fsyncDir(dir);
  } finally {
    if (!placed) {
      try {
        unlinkSync(temp);
      } catch {
        // Never created, or already gone.
      }
    }
  }
}

/** Makes a folder's entries (a created, renamed or removed name) durable. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
