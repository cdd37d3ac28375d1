import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLog } from '../../packages/server/src/audit/connection-log.js';
import { LIVE_PERSIST_MS } from '../../packages/server/src/sessions/live-sessions.js';
import { openStore } from '../../packages/server/src/storage/open.js';
import type { RunningBastion } from '../helpers/bastion-process.js';
import { crashTestConfig, killMidSession } from '../helpers/crash-session.js';
import { readTestbed, type TestbedInfo } from '../helpers/testbed.js';

/**
 * A connection is never missing from the log, even when the bastion dies mid-session (design 0003, "Audit
 * events", Crash): the built bastion runs as a child process, is killed with SIGKILL (by its PID) while a
 * session is open, and restarted on the same data folder, which closes the record as 'interrupted'.
 */
const PASSWORD = 'Crash-Test-Pass-1';
let tb: TestbedInfo;
let config: string;
const started: RunningBastion[] = [];

beforeAll(() => {
  tb = readTestbed();
  config = crashTestConfig(tb, readFileSync(tb.inventoryPath, 'utf8'), PASSWORD);
});

afterAll(async () => {
  for (const p of started) await p.stop('SIGKILL');
  if (started[0]) rmSync(started[0].dataDir, { recursive: true, force: true });
});

describe('crash recovery', () => {
  it('a session open when the bastion is killed ends as interrupted at the next start', async () => {
    const { dataDir, sessionId, killedAt, restartExit } = await killMidSession({ tb, configYaml: config, password: PASSWORD, command: 'echo $((6*7))', until: /[\r\n]42\r?\n/, started });
    expect(restartExit).toBe(0);

    const store = await openStore({ sqliteFile: join(dataDir, 'bastion.db') });
    try {
      const r = await new ConnectionLog(store.db).get(sessionId);
      expect(r).toMatchObject({ message: 'Successfully Connected.', endReason: 'interrupted', principalName: 'reader', userName: tb.user, targetPort: 22 });
      // The last time the bastion saw it alive (persisted every LIVE_PERSIST_MS; 1 s for a late timer).
      expect(Date.parse(r!.endTime!)).toBeGreaterThanOrEqual(killedAt - LIVE_PERSIST_MS - 1000);
      // Not the restart's time (after the kill), and a duration that matches its own start and end: a session
      // killed before the first persist tick ends at its start (duration 0), which is all the bastion knew.
      expect(Date.parse(r!.endTime!)).toBeLessThanOrEqual(killedAt + 1000);
      expect(r!.durationMs).toBe(Date.parse(r!.endTime!) - Date.parse(r!.startTime));
    } finally {
      await store.close();
    }
  });
});
