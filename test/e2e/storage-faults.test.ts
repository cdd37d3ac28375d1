import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { scratchExt4, scratchTmpfs, type ScratchFs } from '../helpers/scratch-fs.js';
import { openStore } from '../../packages/server/src/storage/open.js';
import { ensureMasterKey, VaultStore } from '../../packages/server/src/vault/index.js';

/**
 * Issue #13 findings 5, 6 and 10 as an operator meets them, with real processes and real file systems
 * (root): a damaged key file stops the start and is left as it is; an unwritable folder is named at start;
 * /readyz turns 503 when the database or the recordings folder stops taking writes.
 */
const BIN = resolve(import.meta.dirname, '../../bin/bastion.mjs');
const root = process.getuid?.() === 0;
const scratch: ScratchFs[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const fs of scratch.splice(0)) fs.dispose();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'bastion-faults-'));
  dirs.push(d);
  return d;
};

/** `bastion start` with the config file outside the data folder (which may be read-only); the child is awaited. */
function startOnce(dataDir: string, extra = '', opts: { uid?: number; gid?: number } = {}): { code: number | null; output: string } {
  const cfgDir = tempDir();
  chmodSync(cfgDir, 0o755);
  const file = join(cfgDir, 'bastion.yaml');
  writeFileSync(file, `dataDir: ${dataDir}\nserver:\n  host: 127.0.0.1\n  port: 1\nlog:\n  level: warn\n${extra}`, { mode: 0o644 });
  const r = spawnSync(process.execPath, [BIN, 'start', '--config', file], { cwd: cfgDir, encoding: 'utf8', timeout: 60_000, ...opts });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A data folder a first start has filled (database, vault.key, TLS pair), stopped again. */
async function initialisedDataDir(): Promise<string> {
  const dataDir = join(tempDir(), 'data');
  const b = await startBastionProcess({ dataDir: (mkdirSync(dataDir, { mode: 0o700 }), dataDir) });
  expect(await b.stop()).toBe(0);
  return dataDir;
}

const noStack = (output: string): void => expect(output).not.toMatch(/\n\s+at .*:\d+:\d+/);

describe.runIf(root)('a damaged key file stops the start and is not replaced', () => {
  it('vault.key emptied on disk (a crash cut it): refused, named, left as it is', async () => {
    const dataDir = await initialisedDataDir();
    const keyFile = join(dataDir, 'vault.key');
    truncateSync(keyFile, 0);
    const r = startOnce(dataDir);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain(`The vault key file ${keyFile} is empty (0 bytes)`);
    expect(r.output).toMatch(/Restore .* from a backup/);
    expect(r.output).toMatch(/delete it deliberately/);
    noStack(r.output);
    expect(statSync(keyFile).size).toBe(0);
  });

  it('the TLS key emptied on disk: refused, named, the pair left as it is', async () => {
    const dataDir = await initialisedDataDir();
    const keyFile = join(dataDir, 'tls', 'bastion-key.pem');
    const cert = readFileSync(join(dataDir, 'tls', 'bastion-cert.pem'), 'utf8');
    truncateSync(keyFile, 0);
    const r = startOnce(dataDir);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain(`The TLS key file ${keyFile} is empty (0 bytes)`);
    expect(r.output).toMatch(/Restore .* from a backup/);
    noStack(r.output);
    expect(statSync(keyFile).size).toBe(0);
    expect(readFileSync(join(dataDir, 'tls', 'bastion-cert.pem'), 'utf8')).toBe(cert);
  });
});

describe.runIf(root)('an unwritable folder is named at start', () => {
  it('a read-only data folder (tmpfs remounted ro after a first start)', async () => {
    const fs = scratchTmpfs();
    scratch.push(fs);
    const dataDir = join(fs.dir, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    const b = await startBastionProcess({ dataDir, configYaml: 'inventory:\n  resourceGroups:\n    - { name: rg-testbed, location: local }\n' });
    expect(await b.stop()).toBe(0);
    fs.readOnly();
    const r = startOnce(dataDir, 'inventory:\n  resourceGroups:\n    - { name: rg-testbed, location: local }\n');
    expect(r.code).not.toBe(0);
    expect(r.output).toContain(`bastion: cannot write the data folder ${dataDir} (read-only file system): remount it read-write`);
    expect(r.output).not.toContain('readonly database');
    noStack(r.output);
  });

  it('a data folder owned by another user, without write permission for the bastion', () => {
    const parent = tempDir();
    chmodSync(parent, 0o755);
    const dataDir = join(parent, 'data');
    mkdirSync(dataDir, { mode: 0o755 }); // root's, read-only for uid 65534
    const r = startOnce(dataDir, '', { uid: 65534, gid: 65534 });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain(`bastion: cannot write the data folder ${dataDir} (permission denied: owned by uid 0, mode 0755; the bastion runs as uid 65534)`);
    noStack(r.output);
  });

  it('an unwritable recordings folder', () => {
    const fs = scratchTmpfs();
    scratch.push(fs);
    fs.readOnly();
    const r = startOnce(join(tempDir(), 'data'), `recordings:\n  dir: ${fs.dir}\n`);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain(`bastion: cannot write the recordings folder ${fs.dir} (read-only file system)`);
    expect(r.output).toContain('(recordings.dir)');
    noStack(r.output);
  });
});

/** GET /readyz over TLS (self-signed), answered as status and JSON. */
function readyz(b: RunningBastion): Promise<{ status: number; body: { status: string; reason?: string; failed?: Array<{ check: string; message: string }> } }> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port: b.port, path: '/readyz', rejectUnauthorized: false }, (r) => {
      let text = '';
      r.on('data', (d: Buffer) => (text += d.toString()));
      r.on('end', () => res({ status: r.statusCode ?? 0, body: JSON.parse(text) as never }));
    });
    req.on('error', rej);
    req.end();
  });
}

/** Polls until /readyz answers `status` (the result is cached ~1.5 s); the test's timeout bounds it. */
async function readyzBecomes(b: RunningBastion, status: number) {
  for (;;) {
    const r = await readyz(b);
    if (r.status === status) return r;
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe.runIf(root)('/readyz follows what can be written', () => {
  let b: RunningBastion | undefined;
  afterEach(async () => {
    if (b && b.process.exitCode === null) b.process.kill('SIGKILL');
    await b?.stop();
    b = undefined;
  });

  it('503 naming the recordings folder while it is read-only, 200 again once it is writable', async () => {
    const rec = scratchTmpfs();
    scratch.push(rec);
    b = await startBastionProcess({ configYaml: `recordings:\n  dir: ${rec.dir}\n` });
    expect((await readyz(b)).status).toBe(200);
    rec.readOnly();
    const down = await readyzBecomes(b, 503);
    expect(down.body).toMatchObject({ status: 'not ready', failed: [{ check: 'recordings', message: `the recordings folder ${rec.dir} cannot be written (read-only file system)` }] });
    rec.readWrite();
    expect((await readyzBecomes(b, 200)).body).toEqual({ status: 'ready' });
  });

  it('503 naming the database once the file system holding it goes read-only under the running server', async () => {
    const fs = scratchExt4();
    scratch.push(fs);
    const dataDir = join(fs.dir, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    b = await startBastionProcess({ dataDir, configYaml: `recordings:\n  dir: ${join(tempDir(), 'rec')}\n` });
    expect((await readyz(b)).status).toBe(200);
    fs.failToReadOnly();
    const down = await readyzBecomes(b, 503);
    expect(down.body.failed).toEqual([{ check: 'database', message: expect.stringMatching(/^the database cannot be written: /) }]);
    expect(down.body.reason).toMatch(/database cannot be written/);
  });
});


/** Runs the CLI as a child without blocking this process's event loop (the writer below keeps going). */
function cli(args: string[], configFile: string, stdin = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args, '--config', configFile], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.end(stdin);
    child.on('exit', (code) => res({ code, out }));
  });
}

describe.runIf(root)('bastion backup while the server runs and writes', () => {
  it('a restore into a new data folder starts with the users and a readable vault secret', async () => {
    const b = await startBastionProcess();
    const config = join(b.dataDir, 'bastion.yaml');
    let writes = 0;
    let writing = true;
    try {
      expect((await cli(['user', 'create', '-u', 'backup-alice', '-p', 'Backup-Alice-Pass-1'], config)).code).toBe(0);
      expect((await cli(['group', 'create', '-n', 'rg1'], config)).code).toBe(0);
      expect((await cli(['keyvault', 'create', '-g', 'rg1', '-n', 'kv1'], config)).code).toBe(0);
      expect((await cli(['keyvault', 'secret', 'set', '--vault-name', 'kv1', '-n', 'pw', '--content-type', 'password', '--value-stdin'], config, 'Backed-Up-Pass-1')).code).toBe(0);
      // The server writes all along: every /readyz past the cache is a commit, every failed sign-in an audit row.
      const writer = (async () => {
        while (writing) {
          await readyz(b);
          await new Promise<void>((res) => {
            const req = request({ host: '127.0.0.1', port: b.port, path: '/api/auth/login', method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (r) => r.resume().on('end', res));
            req.on('error', () => res());
            req.end(JSON.stringify({ username: `nobody-${writes}`, password: 'wrong-password' }));
          });
          writes++;
        }
      })();
      const dest = join(tempDir(), 'backup');
      const backedUp = await cli(['backup', dest], config);
      writing = false;
      await writer;
      expect(backedUp.code).toBe(0);
      expect(JSON.parse(backedUp.out)).toMatchObject({ database: { kind: 'sqlite', integrity: 'ok' } });
      expect(writes).toBeGreaterThan(0);
      // Restore: the backup's files as a new data folder, started as a user would.
      const restoredDir = join(tempDir(), 'data');
      mkdirSync(restoredDir, { mode: 0o700 });
      cpSync(dest, restoredDir, { recursive: true });
      const restored = await startBastionProcess({ dataDir: restoredDir });
      try {
        expect(restored.firstAdmin).toBeUndefined(); // the admin came back with the database
        expect(restored.output()).toContain(b.output().match(/SHA-256 fingerprint (\S+)/)![1]!);
        const users = await cli(['user', 'list'], join(restoredDir, 'bastion.yaml'));
        expect(users.out).toContain('backup-alice');
      } finally {
        await restored.stop();
      }
      const store = await openStore({ sqliteFile: join(restoredDir, 'bastion.db') });
      try {
        const vault = new VaultStore(store.db, ensureMasterKey(undefined, restoredDir).masterKey);
        const [secret] = await vault.listSecrets((await vault.listVaults())[0]!.id);
        expect(await vault.getSecretValue(secret!.id)).toMatchObject({ value: 'Backed-Up-Pass-1' });
      } finally {
        await store.close();
      }
    } finally {
      writing = false;
      await b.stop();
    }
  });
});
