import { closeSync, fsyncSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A folder (or file) the bastion must write and cannot. Its message is meant for the operator as is
 * ("cannot write the data folder /x (read-only file system): …"), so main.ts prints it without a stack.
 */
export class NotWritableError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'NotWritableError';
  }
}

const probeName = (): string => `.bastion-write-probe-${process.pid}-${Math.random().toString(36).slice(2)}`;

/** Creates, fsyncs and removes a probe file: what a real write needs (a name, blocks, a flush), no more. */
export function probeWritableSync(dir: string): void {
  const file = join(dir, probeName());
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, 'probe');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
    try {
      unlinkSync(file);
    } catch {
      // A probe that could be created but not removed is left for the operator: harmless, dot-named.
    }
  }
}

/** The same probe without blocking the event loop (readiness checks). */
export async function probeWritable(dir: string): Promise<void> {
  const file = join(dir, probeName());
  const fh = await open(file, 'wx', 0o600);
  try {
    await fh.writeFile('probe');
    await fh.sync();
  } finally {
    await fh.close();
    await unlink(file).catch(() => undefined);
  }
}

/** "read-only file system", "permission denied: owned by uid 0, mode 0755; the bastion runs as uid 65534", … */
export function whyNotWritable(path: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EROFS':
      return 'read-only file system';
    case 'EACCES':
    case 'EPERM': {
      let owner = '';
      try {
        const st = statSync(path);
        owner = `: owned by uid ${st.uid}, mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}`;
      } catch {
        // The folder above may be the one we cannot enter.
      }
      const uid = process.getuid?.();
      return `permission denied${owner}${uid === undefined ? '' : `; the bastion runs as uid ${uid}`}`;
    }
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'ENOENT':
      return 'it does not exist';
    case 'ENOTDIR':
      return 'it is not a folder';
    default:
      return e.message ?? String(err);
  }
}

const FIX: Record<string, string> = {
  EROFS: 'remount it read-write, or point the setting at a writable folder',
  EACCES: 'give the user running the bastion write access (chown/chmod), or point the setting at a folder it owns',
  ENOSPC: 'free some space',
};

/**
 * Throws a NotWritableError naming `what` ("data folder", "recordings folder"), the path, the reason and
 * the setting that moves it, when a probe file cannot be written in `dir`.
 */
export function assertWritableFolder(dir: string, what: string, setting: string): void {
  try {
    probeWritableSync(dir);
  } catch (err) {
    throw notWritable(dir, what, setting, err);
  }
}

export function notWritable(path: string, what: string, setting: string, err: unknown): NotWritableError {
  const code = (err as NodeJS.ErrnoException).code;
  const fix = FIX[code === 'EPERM' ? 'EACCES' : (code ?? '')] ?? `check the folder, or point ${setting} elsewhere`;
  return new NotWritableError(`cannot write the ${what} ${path} (${whyNotWritable(path, err)}): ${fix} (${setting}).`, path, code);
}
