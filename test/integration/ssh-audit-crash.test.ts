import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLog } from '../../packages/server/src/audit/connection-log.js';
import { openStore } from '../../packages/server/src/storage/open.js';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { BastionClient } from '../helpers/ssh-ws-client.js';
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
  config =
    `${readFileSync(tb.inventoryPath, 'utf8')}\n` +
    `users:\n  - { username: reader, password: ${PASSWORD} }\n` +
    `roleAssignments:\n  - { assignee: reader, role: Reader, scope: /subscriptions/${tb.subscriptionId} }\n`;
});

afterAll(async () => {
  for (const p of started) await p.stop('SIGKILL');
  if (started[0]) rmSync(started[0].dataDir, { recursive: true, force: true });
});

describe('crash recovery', () => {
  it('a session open when the bastion is killed ends as interrupted at the next start', async () => {
    const first = await startBastionProcess({ configYaml: config });
    started.push(first);
    const client = new BastionClient(first.url);
    const reader = await client.signIn('reader', PASSWORD);
    const vmPath = `/subscriptions/${tb.subscriptionId}/resourceGroups/${tb.resourceGroup}/providers/Microsoft.Compute/virtualMachines/vm-ssh`;
    const { url } = await client.ticket(reader, vmPath, tb.user, { type: 'password', password: tb.password });
    const t = await client.terminal(url, reader);
    const sessionId = String((await t.ready()).sessionId);
    await t.run('echo $((6*7))', /[\r\n]42\r?\n/);

    const killedAt = Date.now();
    await first.stop('SIGKILL'); // this child only, by its PID
    await t.until('socket closed', () => t.closeCode !== undefined, 10_000);

    const second = await startBastionProcess({ configYaml: config, dataDir: first.dataDir });
    started.push(second);
    expect(await second.stop('SIGINT')).toBe(0);

    const store = await openStore({ sqliteFile: join(first.dataDir, 'bastion.db') });
    try {
      const r = await new ConnectionLog(store.db).get(sessionId);
      expect(r).toMatchObject({ message: 'Successfully Connected.', endReason: 'interrupted', principalName: 'reader', userName: tb.user, targetPort: 22 });
      expect(Date.parse(r!.endTime!)).toBeGreaterThanOrEqual(killedAt - 1000);
      expect(r!.durationMs).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
