import { startBastionProcess, type RunningBastion } from './bastion-process.js';
import { BastionClient } from './ssh-ws-client.js';
import { testbedPath, type TestbedInfo } from './testbed.js';

/** The built bastion's config for a crash test: the testbed's inventory plus `reader` (Reader on the subscription). */
export const crashTestConfig = (tb: TestbedInfo, inventoryYaml: string, password: string): string =>
  `${inventoryYaml}\n` +
  `users:\n  - { username: reader, password: ${password} }\n` +
  `roleAssignments:\n  - { assignee: reader, role: Reader, scope: /subscriptions/${tb.subscriptionId} }\n`;

export interface KilledSession {
  dataDir: string;
  sessionId: string;
  /** Just before the SIGKILL. */
  killedAt: number;
  /** The exit code of the restarted bastion, stopped with SIGINT (0 when it started and stopped cleanly). */
  restartExit: number | null;
}

/**
 * kill -9 mid-session: starts the built bastion, opens a browser-SSH session to vm-ssh as `reader`, runs
 * `command` until `until` shows, waits `settleMs`, kills that child (by its PID) and, once the socket has
 * closed, starts a second bastion on the same data folder and stops it with SIGINT. Every child started is
 * pushed to `started` (the caller's afterAll stops them and removes the folder).
 */
export async function killMidSession(opts: { tb: TestbedInfo; configYaml: string; password: string; command: string; until: RegExp; settleMs?: number; started: RunningBastion[] }): Promise<KilledSession> {
  const { tb, configYaml, started } = opts;
  const first = await startBastionProcess({ configYaml });
  started.push(first);
  const client = new BastionClient(first.url);
  const reader = await client.signIn('reader', opts.password);
  const { url } = await client.ticket(reader, testbedPath(tb, 'Microsoft.Compute/virtualMachines', 'vm-ssh'), tb.user, { type: 'password', password: tb.password });
  const t = await client.terminal(url, reader);
  const sessionId = String((await t.ready()).sessionId);
  await t.run(opts.command, opts.until);
  if (opts.settleMs) await new Promise((r) => setTimeout(r, opts.settleMs));

  const killedAt = Date.now();
  await first.stop('SIGKILL'); // this child only, by its PID
  await t.until('socket closed', () => t.closeCode !== undefined, 10_000);

  const second = await startBastionProcess({ configYaml, dataDir: first.dataDir });
  started.push(second);
  return { dataDir: first.dataDir, sessionId, killedAt, restartExit: await second.stop('SIGINT') };
}
