import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore } from './open.js';

describe('openStore (SQLite)', () => {
  it('runs WAL with synchronous = FULL, so a commit is on disk when it returns (issue #13)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-open-'));
    const store = await openStore({ sqliteFile: join(dir, 'bastion.db') });
    try {
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
      expect(sync.rows[0]?.synchronous).toBe(2); // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
