import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBastion, type Bastion } from './bastion.js';
import { DEFAULT_CONFIG, validateConfig } from './config/index.js';

/**
 * Issue #12: what the bastion writes into its data folder (password hashes, the audit trail, encrypted
 * secrets, keys, recordings) is readable by its own user only, however loose the umask it was started
 * with; an older data folder with loose modes is named in the log.
 */
const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

describe('data folder modes', () => {
  let parent = '';
  let bastion: Bastion | undefined;
  let umask = 0;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'bastion-modes-'));
    // The usual login-shell umask: without explicit modes, files would come out 0644 and folders 0755.
    umask = process.umask(0o022);
  });
  afterEach(async () => {
    process.umask(umask);
    await bastion?.close();
    bastion = undefined;
    rmSync(parent, { recursive: true, force: true });
  });
  const start = async (dataDir: string): Promise<Bastion> => {
    const config = validateConfig({ ...structuredClone(DEFAULT_CONFIG), dataDir }, 'test configuration');
    bastion = await createBastion(config, { logger: false, webRoot: join(parent, 'no-web') });
    return bastion;
  };

  it('creates the folders 0700 and the database, its WAL, keys and recordings 0600 on a fresh start', async () => {
    const data = join(parent, 'data');
    const b = await start(data);
    const record = await b.connections.start({ sessionId: '00000000-0000-4000-8000-000000000012', protocol: 'ssh', bastionResourceId: null, userName: 'vmuser', principalName: 'alice', principalId: 'p', userAgent: null, clientIpAddress: '192.0.2.1', clientPort: null, targetResourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm', targetVMIPAddress: '10.0.1.4', targetPort: 22, startTime: '2025-03-04T05:06:07.000Z' });
    const started = await b.recordings.startSsh(record, { cols: 80, rows: 24 }, () => undefined);
    if (!started.ok || !started.recording) throw new Error('the recording did not start');
    started.recording.output(new TextEncoder().encode('secret output\r\n'));
    await started.recording.close();

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
      [join(data, 'recordings', '2025')]: '0700',
      [join(data, 'recordings', '2025', '03')]: '0700',
      [join(data, 'recordings', '2025', '03', `${record.sessionId}.cast`)]: '0600',
    };
    expect(Object.fromEntries(Object.keys(expected).map((p) => [p, modeOf(p)]))).toEqual(expected);
    expect(b.looseModes).toEqual([]);
  });

  it('names each loose path of an older data folder with its mode, and still starts', async () => {
    const data = join(parent, 'old');
    mkdirSync(join(data, 'tls'), { recursive: true });
    chmodSync(data, 0o755);
    // An empty file is an empty SQLite database: as an older version left it, world-readable.
    writeFileSync(join(data, 'bastion.db'), '', { mode: 0o644 });
    writeFileSync(join(data, 'vault.key'), 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n', { mode: 0o640 });
    const b = await start(data);
    expect(b.looseModes.map((l) => [l.path, l.mode])).toEqual([
      [data, '0755'],
      [join(data, 'bastion.db'), '0644'],
      // SQLite gives its side files the main file's mode: they are as loose as it is.
      [join(data, 'bastion.db-wal'), '0644'],
      [join(data, 'bastion.db-shm'), '0644'],
      [join(data, 'tls'), '0755'],
      [join(data, 'vault.key'), '0640'],
    ]);
    expect(b.looseModes[0]!.message).toBe(`${data} is mode 0755: other local users can read it; run chmod 700 ${data}`);
    expect(b.looseModes[1]!.message).toContain(`run chmod 600 ${join(data, 'bastion.db')}`);
    // The modes are the operator's: reported, not changed.
    expect(modeOf(join(data, 'bastion.db'))).toBe('0644');
  });
});
