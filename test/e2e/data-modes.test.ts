import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';

/**
 * Issue #12, as an operator meets it: `bastion start` from a shell with the usual umask 022 makes a data
 * folder that only its own user can read, and a later start on a folder someone loosened says so.
 */
const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

describe('bastion start: data folder modes', () => {
  const parent = mkdtempSync(join(tmpdir(), 'bastion-e2e-modes-'));
  const data = join(parent, 'data');
  let bastion: RunningBastion | undefined;
  afterAll(async () => {
    await bastion?.stop();
    rmSync(parent, { recursive: true, force: true });
  });

  it('creates the folder 0700 and the database, its WAL, the keys 0600 under umask 022', async () => {
    const umask = process.umask(0o022); // inherited by the child
    try {
      bastion = await startBastionProcess({ env: { BASTION_DATA_DIR: data } });
    } finally {
      process.umask(umask);
    }
    const expected = {
      [data]: '0700',
      [join(data, 'bastion.db')]: '0600',
      [join(data, 'bastion.db-wal')]: '0600',
      [join(data, 'bastion.db-shm')]: '0600',
      [join(data, 'tls')]: '0700',
      [join(data, 'tls', 'bastion-key.pem')]: '0600',
      [join(data, 'tls', 'bastion-cert.pem')]: '0600',
      [join(data, 'vault.key')]: '0600',
      [join(data, 'recordings')]: '0700',
    };
    expect(Object.fromEntries(Object.keys(expected).map((p) => [p, modeOf(p)]))).toEqual(expected);
    expect(bastion.output()).not.toContain('other local users can read it');
    expect(await bastion.stop()).toBe(0);
    bastion = undefined;
  });

  it('warns at the next start about a folder that was loosened since, naming it and its mode', async () => {
    chmodSync(data, 0o755);
    bastion = await startBastionProcess({ env: { BASTION_DATA_DIR: data } });
    expect(bastion.output()).toContain(`${data} is mode 0755: other local users can read it; run chmod 700 ${data}`);
    // Reported, not changed behind the operator's back.
    expect(modeOf(data)).toBe('0755');
  });
});
