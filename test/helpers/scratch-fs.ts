import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/**
 * Small real file systems for fault tests (root): a tmpfs, or an ext4 image on a loop device, each
 * mounted on a fresh folder and removed again by `dispose()`. Linux refuses `remount,ro` while a file is
 * open for writing, so a running SQLite database is made read-only the way a failing disk does it: an
 * ext4 error with `errors=remount-ro` (sysfs trigger_fs_error), which cannot be undone without unmounting.
 */
export interface ScratchFs {
  dir: string;
  readOnly(): void;
  readWrite(): void;
  /** ext4 only: the kernel's emergency read-only remount, as after an I/O error. */
  failToReadOnly(): void;
  dispose(): void;
}

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' }).trim();

export function scratchTmpfs(sizeMiB = 16): ScratchFs {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-tmpfs-'));
  sh('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir]);
  return {
    dir,
    readOnly: () => void sh('mount', ['-o', 'remount,ro', dir]),
    readWrite: () => void sh('mount', ['-o', 'remount,rw', dir]),
    failToReadOnly: () => {
      throw new Error('tmpfs has no error remount; use scratchExt4');
    },
    dispose: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function scratchExt4(sizeMiB = 32): ScratchFs {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-ext4-'));
  const image = `${dir}.img`;
  writeFileSync(image, '');
  sh('truncate', ['-s', `${sizeMiB}M`, image]);
  sh('mkfs.ext4', ['-q', '-F', image]);
  const loop = sh('losetup', ['-f', '--show', image]);
  sh('mount', ['-o', 'errors=remount-ro', loop, dir]);
  sh('chmod', ['0700', dir]);
  return {
    dir,
    readOnly: () => void sh('mount', ['-o', 'remount,ro', dir]),
    readWrite: () => void sh('mount', ['-o', 'remount,rw', dir]),
    failToReadOnly: () => writeFileSync(`/sys/fs/ext4/${basename(loop)}/trigger_fs_error`, 'bastion fault test\n'),
    dispose: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      execFileSync('losetup', ['-d', loop], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
      rmSync(image, { force: true });
    },
  };
}
