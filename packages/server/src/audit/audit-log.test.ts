import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../storage/open.js';
import { AuditLog } from './audit-log.js';

/** Design 0009: what observers (metrics) and the log see of events written inside a change. */
let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bastion-audit-'));
  store = await openStore({ sqliteFile: join(dir, 'bastion.db') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditLog.change', () => {
  it('reports an event to observers and the log only once its change has committed, and never when it rolled back', async () => {
    const logged: string[] = [];
    const audit = new AuditLog(store.db, { info: (_obj, msg) => logged.push(msg) });
    const seen: string[] = [];
    audit.observe((e) => seen.push(e.target ?? ''));
    await audit.change(async (tx) => {
      await audit.writeIn(tx, { type: 'user.created', outcome: 'success', target: 'kept', message: 'created' });
      expect(seen, 'not before the commit').toEqual([]);
    });
    await expect(
      audit.change(async (tx) => {
        await audit.writeIn(tx, { type: 'user.created', outcome: 'success', target: 'lost', message: 'created' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(seen).toEqual(['kept']);
    expect(logged).toEqual(['audit user.created success']);
    expect((await audit.list()).map((e) => e.target)).toEqual(['kept']);
  });
});
