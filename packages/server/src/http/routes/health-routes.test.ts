import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../storage/open.js';
import { readinessProbe } from './health-routes.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bastion-readyz-'));
  store = await openStore({ sqliteFile: join(dir, 'bastion.db') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('readiness probe', () => {
  it('fails naming the database when it answers reads but refuses writes, and passes again once it takes them', async () => {
    const probe = readinessProbe({ db: store.db, cacheMs: 0 });
    expect(await probe()).toEqual([]);
    // SQLite's own switch for "reads work, every write fails" (what a read-only file system does to it).
    await sql`pragma query_only = ON`.execute(store.db);
    expect((await sql`select 1 as one`.execute(store.db)).rows).toEqual([{ one: 1 }]);
    expect(await probe()).toEqual([{ check: 'database', message: expect.stringMatching(/^the database cannot be written: .*readonly/) }]);
    await sql`pragma query_only = OFF`.execute(store.db);
    expect(await probe()).toEqual([]);
  });

  it('fails naming the recordings folder when no file can be created there; leaves no probe file behind', async () => {
    const recordings = join(dir, 'recordings');
    mkdirSync(recordings);
    const probe = readinessProbe({ db: store.db, recordingsDir: recordings, cacheMs: 0 });
    expect(await probe()).toEqual([]);
    expect(readdirSync(recordings)).toEqual([]);
    rmSync(recordings, { recursive: true });
    writeFileSync(recordings, 'a file where the folder should be');
    expect(await probe()).toEqual([{ check: 'recordings', path: recordings, message: `the recordings folder ${recordings} cannot be written (it is not a folder)` }]);
  });

  it('reuses one result within the cache time, so polling does not write on every request', async () => {
    const probe = readinessProbe({ db: store.db, cacheMs: 60_000 });
    const [a, b] = await Promise.all([probe(), probe()]);
    expect(a).toBe(b);
    await sql`pragma query_only = ON`.execute(store.db);
    expect(await probe()).toBe(a);
  });
});
