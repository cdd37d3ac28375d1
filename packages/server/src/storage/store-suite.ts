import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserDirectory } from '../identity/users.js';
import { identityStoreSuite } from './identity-store-suite.js';
import { inventoryStoreSuite } from './inventory-store-suite.js';
import { MIGRATION_NAMES, migrateToLatest } from './migrate.js';
import type { Store } from './open.js';
import { unique, type StoreSuiteContext } from './store-kit-suite.js';

/**
 * The storage compliance suite (Teleport's RunBackendComplianceSuite habit): one set of tests that every
 * database backend must pass, run by test/integration/storage.test.ts against SQLite and a real PostgreSQL.
 *
 * `open` must return a store on the same database every time it is called within one suite run (the first
 * call migrates it; later calls are reopens). Tests share that database, so each test uses its own
 * names: random usernames and group names, and a fresh subscription ID for inventory (lists are per
 * subscription). Only imported by tests: it uses vitest.
 *
 * This file opens the store and holds the migration tests; the parts get the store through a getter:
 * identity-store-suite.ts (UserDirectory, WebSessions, AuditLog) and inventory-store-suite.ts (InventoryService),
 * with shared helpers in store-kit-suite.ts.
 */
export function runStoreSuite(name: string, open: () => Promise<Store>): void {
  describe(name, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });
    const context: StoreSuiteContext = { store: () => store, open };

    describe('migrations', () => {
      it('migrates a fresh database, and opening it again is a no-op that keeps the data', async () => {
        const applied = await sql<{ name: string }>`select name from bastion_migrations order by name`.execute(store.db);
        expect(applied.rows.map((r) => r.name)).toEqual([...MIGRATION_NAMES].sort());

        const users = new UserDirectory(store.db);
        const username = unique('keep');
        await users.create({ username, passwordHash: 'scrypt$not$a$real$hash$x' });

        // Two more opens at once, then migrate once more by hand: nothing left to apply, nothing lost.
        const [second, third] = await Promise.all([open(), open()]);
        try {
          expect(second.dialect).toBe(store.dialect);
          expect(await migrateToLatest(second.db as never, second.dialect)).toEqual([]);
          const again = await sql<{ name: string }>`select name from bastion_migrations order by name`.execute(third.db);
          expect(again.rows.map((r) => r.name)).toEqual([...MIGRATION_NAMES].sort());
          expect((await new UserDirectory(third.db).get(username)).username).toBe(username);
        } finally {
          await second.close();
          await third.close();
        }
        // The first store still works after the others closed.
        expect((await users.get(username.toUpperCase())).username).toBe(username);
      });

      it('describes where it is without a password', () => {
        expect(store.where).toBeTruthy();
        expect(store.where).not.toMatch(/:[^:@/]+@/);
      });
    });

    identityStoreSuite(context);
    inventoryStoreSuite(context);
  });
}
