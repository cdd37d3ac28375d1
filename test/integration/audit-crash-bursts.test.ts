import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';

/**
 * Issue #13, finding 2: kill -9 during bursts of writes, 5 rounds. The built bastion runs as a child
 * process; parallel role-assignment, group, membership and inventory writes go to it over HTTPS on
 * loopback; it is killed with SIGKILL (by its PID) after a seeded number of answers, restarted on the same
 * data folder, and the database must hold an audit event for every change and a change for every event.
 * No testbed machine is used; it sits with the integration tests because it runs real processes.
 */
const PASSWORD = 'Burst-Admin-Pass-1';
const ROUNDS = 5;
const WORKERS = 24;
const OPS_PER_WORKER = 8;
const MEMBERS = 6;
/**
 * Groups already in the directory. Role-assignment answers name principals, so each creation reads the
 * directory; a populated one (as in a real installation) makes that step, and any gap between a change
 * and its event, long enough for a kill to land in it.
 */
const CROWD = 4000;
const started: RunningBastion[] = [];

afterAll(async () => {
  for (const p of started) await p.stop('SIGKILL');
  if (started[0]) rmSync(started[0].dataDir, { recursive: true, force: true });
});

/** mulberry32: the kill points are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Answer { status: number; body: string; cookie?: string | undefined }

function call(agent: Agent, base: string, method: string, path: string, auth: { cookie: string; csrf: string } | null, payload?: object): Promise<Answer> {
  const body = payload ? JSON.stringify(payload) : undefined;
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent, rejectUnauthorized: false, timeout: 30_000, headers: { origin: base, ...(body ? { 'content-type': 'application/json' } : {}), ...(auth ? { cookie: `bastion_session=${auth.cookie}`, 'x-csrf-token': auth.csrf } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, cookie: /bastion_session=([^;]+)/.exec(String(res.headers['set-cookie'] ?? ''))?.[1] }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const config =
  `users:\n  - { username: boss, password: ${PASSWORD} }\n` +
  Array.from({ length: MEMBERS }, (_, i) => `  - { username: m${i}, password: ${PASSWORD} }\n`).join('') +
  `roleAssignments:\n  - { assignee: boss, role: Owner, scope: / }\n`;

/** Every burst write, what it names, so that changes and events can be matched one to one. */
function checkDatabase(dataDir: string): { changes: number; events: number; unmatched: string[] } {
  const db = new SqliteDatabase(join(dataDir, 'bastion.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = <T>(q: string): T[] => db.prepare(q).all() as T[];
    const changes = new Set<string>();
    for (const a of rows<{ id: string }>("select id from role_assignments where scope_key like '%/resourcegroups/burst-%'")) changes.add(`assignment ${a.id}`);
    for (const g of rows<{ name: string }>("select name from groups where name like 'burst-%'")) changes.add(`group ${g.name}`);
    for (const m of rows<{ name: string; username: string }>("select g.name, u.username from group_members gm join groups g on g.id = gm.group_id join users u on u.id = gm.user_id where g.name like 'burst-%'")) changes.add(`member ${m.username} ${m.name}`);
    for (const r of rows<{ id: string }>("select id from resources where type = 'Microsoft.Resources/resourceGroups' and name like 'burst-%'")) changes.add(`resource ${r.id.toLowerCase()}`);

    const events = new Set<string>();
    const list = rows<{ type: string; target: string; message: string; details: string }>("select type, target, message, details from audit_events where type in ('rbac.assignment.created', 'group.created', 'group.member.added', 'resource.written')");
    for (const e of list) {
      if (e.type === 'rbac.assignment.created' && e.target.includes('/resourceGroups/burst-')) events.add(`assignment ${(JSON.parse(e.details) as { assignmentId: string }).assignmentId}`);
      if (e.type === 'group.created' && e.target.startsWith('burst-')) events.add(`group ${e.target}`);
      if (e.type === 'group.member.added' && e.target.startsWith('burst-')) events.add(`member ${e.message.split(' ')[0]} ${e.target}`);
      if (e.type === 'resource.written' && e.target.includes('/resourceGroups/burst-')) events.add(`resource ${e.target.toLowerCase()}`);
    }
    const unmatched = [...[...changes].filter((c) => !events.has(c)).map((c) => `no event for ${c}`), ...[...events].filter((e) => !changes.has(e)).map((e) => `no change for ${e}`)];
    return { changes: changes.size, events: events.size, unmatched };
  } finally {
    db.close();
  }
}

describe('kill -9 during write bursts', () => {
  it(`leaves every change with its audit event and every event with its change (${ROUNDS} rounds)`, async () => {
    const random = seeded(13);
    // A first start creates and migrates the database; the crowd of groups goes in while it is stopped.
    const first = await startBastionProcess({ configYaml: config });
    started.push(first);
    expect(await first.stop('SIGINT')).toBe(0);
    let dataDir: string | undefined = first.dataDir;
    const seed = new SqliteDatabase(join(dataDir, 'bastion.db'));
    const insert = seed.prepare('insert into groups (id, name, name_key, created_at) values (?, ?, ?, ?)');
    seed.transaction(() => {
      for (let i = 0; i < CROWD; i++) insert.run(randomUUID(), `crowd-${i}`, `crowd-${i}`, new Date().toISOString());
    })();
    seed.close();
    const perRound: Array<{ answered: number; cut: number; changes: number; unmatched: string[] }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bastion = await startBastionProcess({ configYaml: config, dataDir });
      started.push(bastion);
      dataDir = bastion.dataDir;
      const agent = new Agent({ keepAlive: true, maxSockets: WORKERS });
      const login = await call(agent, bastion.url, 'POST', '/api/auth/login', null, { username: 'boss', password: PASSWORD });
      expect(login.status, login.body).toBe(200);
      const auth = { cookie: login.cookie!, csrf: (JSON.parse(login.body) as { csrfToken: string }).csrfToken };
      const subs = JSON.parse((await call(agent, bastion.url, 'GET', '/api/subscriptions', auth)).body) as { value: Array<{ subscriptionId: string }> };
      const subscriptionId = subs.value[0]!.subscriptionId;

      // Kill after a seeded number of answers, somewhere in the first 10–80 % of the burst.
      const total = WORKERS * OPS_PER_WORKER;
      const killAt = Math.floor(total * (0.1 + 0.7 * random()));
      let answered = 0;
      let cut = 0;
      const refused: string[] = [];
      const kill = (): void => {
        if (bastion.process.exitCode === null && !bastion.process.killed) bastion.process.kill('SIGKILL');
      };
      const worker = async (w: number): Promise<void> => {
        for (let op = 0; op < OPS_PER_WORKER; op++) {
          const name = `burst-${round}-${w}-${op}`;
          // Kind 2 adds a member to the group this worker created one step before (kind 1).
          const kind = (w + op) % 4 === 2 && op === 0 ? 1 : (w + op) % 4;
          const [method, path, payload] =
            kind === 0 ? ['POST', '/api/roleAssignments', { assignee: `m${(w + op) % MEMBERS}`, role: 'Reader', scope: `/subscriptions/${subscriptionId}/resourceGroups/${name}` }]
            : kind === 1 ? ['POST', '/api/groups', { name }]
            : kind === 2 ? ['PUT', `/api/groups/burst-${round}-${w}-${op - 1}/members/m${w % MEMBERS}`, undefined]
            : ['PUT', `/api/subscriptions/${subscriptionId}/resourceGroups/${name}`, {}];
          let res: Answer;
          try {
            res = await call(agent, bastion.url, method, path, auth, payload);
          } catch {
            cut++; // the connection went with the process
            continue;
          }
          // Before the kill every write succeeds; a 5xx or a refusal would hide what the test looks for.
          if (answered < killAt && res.status >= 300) refused.push(`${method} ${path}: ${res.status} ${res.body}`);
          answered++;
          if (answered === killAt) kill();
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
      agent.destroy();
      kill();
      await bastion.stop('SIGKILL');
      expect(refused).toEqual([]);
      expect(cut, 'the kill must land inside the burst').toBeGreaterThan(0);

      // Restart on the same folder (recovery runs), then read the database beside it.
      const again = await startBastionProcess({ configYaml: config, dataDir });
      started.push(again);
      const result = checkDatabase(dataDir);
      perRound.push({ answered, cut, changes: result.changes, unmatched: result.unmatched });
      expect(await again.stop('SIGINT')).toBe(0);
    }
    // Each check reads the whole database, so a round also re-checks the rounds before it.
    expect([...new Set(perRound.flatMap((r) => r.unmatched))], JSON.stringify(perRound.map(({ answered, cut, changes }) => ({ answered, cut, changes })))).toEqual([]);
    expect(perRound.every((r) => r.changes > 0)).toBe(true);
  });
});
