import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectionLog } from '../../packages/server/src/audit/connection-log.js';
import { UserDirectory } from '../../packages/server/src/identity/users.js';
import { RoleStore } from '../../packages/server/src/rbac/index.js';
import { openStore } from '../../packages/server/src/storage/open.js';
import { REPO } from '../lib/gateway.js';
import type { Results } from '../lib/results.js';

type Mode = 'NORMAL' | 'FULL';

/**
 * What synchronous = FULL costs (issue #13): committed writes per second through the server's own store
 * code, one commit at a time as requests make them — role assignments (RoleStore) and connection records
 * (ConnectionLog: start + end, two commits per record) — under NORMAL (before) and FULL (shipped). The
 * database sits in bench/results/tmp on the repository's disk, not in /tmp, which may be a tmpfs where
 * an fsync costs nothing. Needs no testbed.
 */
export async function storageWrites(r: Results, opts: { runs: number; writes: number }): Promise<void> {
  const base = join(REPO, 'bench/results/tmp', `storage-${process.pid}`);
  const perMode: Record<Mode, { assignments: number[]; records: number[] }> = { NORMAL: { assignments: [], records: [] }, FULL: { assignments: [], records: [] } };
  try {
    for (let run = 0; run < opts.runs; run++) {
      // Modes alternate inside each run so that disk drift spreads over both.
      for (const mode of ['NORMAL', 'FULL'] as const) {
        const dir = join(base, `${mode}-${run}`);
        mkdirSync(dir, { recursive: true });
        const store = await openStore({ sqliteFile: join(dir, 'bastion.db'), synchronous: mode });
        try {
          const roles = new RoleStore(store.db);
          const group = await new UserDirectory(store.db).createGroup('bench-readers');
          let t0 = process.hrtime.bigint();
          for (let i = 0; i < opts.writes; i++) {
            await roles.createRoleAssignment({ principalType: 'group', principalId: group.id, role: 'Reader', scope: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-${i}` });
          }
          perMode[mode].assignments.push(opts.writes / (Number(process.hrtime.bigint() - t0) / 1e9));
          const connections = new ConnectionLog(store.db);
          t0 = process.hrtime.bigint();
          for (let i = 0; i < opts.writes; i++) {
            const rec = await connections.start({ sessionId: randomUUID(), protocol: 'ssh', bastionResourceId: '/b', userName: 'u', principalName: 'p', principalId: 'p1', userAgent: 'bench', clientIpAddress: '127.0.0.1', clientPort: 1, targetResourceId: '/vm', targetVMIPAddress: '10.0.0.4', targetPort: 22, startTime: new Date().toISOString() });
            await connections.end(rec, { kind: 'ended', reason: 'client_closed', endTime: new Date().toISOString(), bytesIn: 1, bytesOut: 1 });
          }
          perMode[mode].records.push(opts.writes / (Number(process.hrtime.bigint() - t0) / 1e9));
        } finally {
          await store.close();
        }
      }
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  for (const mode of ['NORMAL', 'FULL'] as const) {
    r.add('storage', `role assignment writes/s (synchronous=${mode})`, 'bastion', 'writes/s', perMode[mode].assignments, 'higher');
    r.add('storage', `connection records/s, start+end (synchronous=${mode})`, 'bastion', 'records/s', perMode[mode].records, 'higher');
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const cost = (k: 'assignments' | 'records'): string => `${(100 * (1 - med(perMode.FULL[k]) / med(perMode.NORMAL[k]))).toFixed(0)} %`;
  r.note(`storage: synchronous=FULL costs ${cost('assignments')} of role-assignment writes/s and ${cost('records')} of connection records/s against NORMAL (SQLite WAL, one commit at a time, ${opts.writes} writes × ${opts.runs} runs).`);
}
