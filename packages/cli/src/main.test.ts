import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../server/src/storage/open.js';
import { ensureSubscriptionId, SUBSCRIPTION_SETTING } from './subscription.js';
import { tempBastion } from './test-helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let b: ReturnType<typeof tempBastion>;
beforeEach(() => {
  b = tempBastion();
});
afterEach(() => b.cleanup());

describe('bastion CLI', () => {
  it('lists every command with a one-line description in --help', async () => {
    const r = await b.cli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['start', 'group create', 'group list', 'group delete', 'vnet create', 'vnet subnet create', 'vnet peering create', 'nic create', 'vm create', 'vm show', 'bastion create', 'user create', 'identity-group create', 'group-member add', 'group-member remove', 'role assignment create', 'role assignment list', 'role assignment delete', 'role definition list', 'role definition create', 'role definition delete'])
      expect(r.out).toMatch(new RegExp(`^  bastion ${cmd} +\\S`, 'm'));
  });

  it('prints an unknown command as an error with a suggestion', async () => {
    const r = await b.cli(['vnt', 'list']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: unknown command 'vnt'\n\(Did you mean vnet\?\)/);
  });

  it('reports a bad configuration file without a stack trace', async () => {
    const r = await b.cli(['group', 'list', '--config', join(b.dir, 'missing.yaml')], { withConfig: false });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: Cannot read configuration file .*missing\.yaml: ENOENT[^\n]*\n$/);
  });

  it('starts the server through startBastion with the --config file', async () => {
    const calls: unknown[] = [];
    const r = await b.cli(['start'], { importServer: () => Promise.resolve({ startBastion: (o) => Promise.resolve(calls.push(o)) }) });
    expect(r.code).toBe(0);
    expect(calls).toEqual([{ configFile: b.configFile }]);
    const failed = await b.cli(['start'], { importServer: () => Promise.resolve({ startBastion: () => Promise.reject(new Error('port 8443 is in use')) }) });
    expect(failed).toMatchObject({ code: 1, err: 'error: port 8443 is in use\n' });
  });
});

describe('ensureSubscriptionId', () => {
  it('prefers the configuration, else creates one UUID and keeps it', async () => {
    const store = await openStore({ sqliteFile: join(b.dir, 'sub.db') });
    try {
      expect(await ensureSubscriptionId(store.db, { inventory: { subscription: { id: 'sub-from-config' } } })).toBe('sub-from-config');
      const first = await ensureSubscriptionId(store.db, {});
      expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const again = await Promise.all([ensureSubscriptionId(store.db, {}), ensureSubscriptionId(store.db, {})]);
      expect(again).toEqual([first, first]);
      const row = await store.db.selectFrom('settings').select('value').where('key', '=', SUBSCRIPTION_SETTING).executeTakeFirst();
      expect(row?.value).toBe(first);
    } finally {
      await store.close();
    }
  });

  it('gives the CLI the same subscription on every run', async () => {
    await b.cli(['group', 'create', '-n', 'rg1']);
    const id = (await b.cli(['group', 'show', '-n', 'rg1'])).json<{ id: string }>().id;
    expect(id).toMatch(/^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/rg1$/);
    expect((await b.cli(['group', 'list'])).json<Array<{ id: string }>>()[0]?.id).toBe(id);
  });
});

describe('bin/bastion.mjs', () => {
  it('asks for a build when dist is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-bin-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(ROOT, 'bin/bastion.mjs'), join(dir, 'bin/bastion.mjs'));
    const r = spawnSync(process.execPath, [join(dir, 'bin/bastion.mjs'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('Run `npm run build` first (or `npm start`).');
  });

  // npm test builds before the unit suite; run by hand, build first (npm run build).
  it('runs the built CLI', () => {
    expect(existsSync(join(ROOT, 'dist/cli/src/main.js')), 'dist/cli/src/main.js is missing: run `npm run build` first').toBe(true);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/bastion.mjs'), '--help'], { encoding: 'utf8', cwd: b.dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: bastion /);
  });
});
