import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { runAuditAtomicitySuite } from '../../packages/server/src/storage/audit-atomicity-suite.js';
import { runConnectionLogStoreSuite } from '../../packages/server/src/storage/connection-log-store-suite.js';
import { openStore } from '../../packages/server/src/storage/open.js';
import { runRbacStoreSuite } from '../../packages/server/src/storage/rbac-store-suite.js';
import { runRecordingStoreSuite } from '../../packages/server/src/storage/recording-store-suite.js';
import { runStoreSuite } from '../../packages/server/src/storage/store-suite.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * The storage compliance suite on both backends the server supports: a SQLite file in a temp dir, and a
 * real throw-away PostgreSQL server. Each backend starts from an empty database that the suite's first
 * open migrates; the tests inside keep apart by unique names (see store-suite.ts).
 * PostgreSQL is not optional: without its server binaries the suite fails with the helper's message.
 */

describe('SQLite', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bastion-sqlite-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  runStoreSuite('store compliance', () => openStore({ sqliteFile: join(dir, 'bastion.db') }));
  runRbacStoreSuite('RBAC store compliance', () => openStore({ sqliteFile: join(dir, 'bastion.db') }));
  runAuditAtomicitySuite('audit atomicity compliance', () => openStore({ sqliteFile: join(dir, 'bastion.db') }));
  runConnectionLogStoreSuite('connection log store compliance', () => openStore({ sqliteFile: join(dir, 'bastion.db') }));
  runRecordingStoreSuite('recordings index compliance', () => openStore({ sqliteFile: join(dir, 'bastion.db') }));
});

describe('PostgreSQL', () => {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startPostgres({ database: 'bastion_storage_test' });
  });
  afterAll(async () => {
    await server?.stop();
  });
  const openPostgres = () => {
    if (!server) throw new Error('PostgreSQL test server is not running (startPostgres failed in beforeAll).');
    return openStore({ url: server.url, sqliteFile: '/nonexistent/unused.db' });
  };
  runStoreSuite('store compliance', openPostgres);
  runRbacStoreSuite('RBAC store compliance', openPostgres);
  runAuditAtomicitySuite('audit atomicity compliance', openPostgres);
  runConnectionLogStoreSuite('connection log store compliance', openPostgres);
  runRecordingStoreSuite('recordings index compliance', openPostgres);
});
