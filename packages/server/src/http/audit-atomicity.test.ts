import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventType } from '../../../protocol/src/audit-events.js';
import { ADMIN_PASSWORD, as, createTestBastion, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Issue #13, finding 2: a state change and its audit event are one transaction. The database itself
 * refuses the event (a trigger on audit_events, as a full disk or a constraint would), between the change
 * and the event: the request fails and the change is not there either — no grant without its trace.
 */
const PASSWORD = 'Atomic-Audit-Pass-1';
let b: TestBastion;
let admin: Session;
const sub = () => `/api/subscriptions/${b.subscriptionId}`;
const call = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object) => as(b.app, admin, { method, url, ...(payload ? { payload } : {}) });
const count = async (table: string): Promise<number> => Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(b.store.db)).rows[0]!.n);
const events = async (type: AuditEventType): Promise<number> => Number((await sql<{ n: number }>`select count(*) as n from audit_events where type = ${type}`.execute(b.store.db)).rows[0]!.n);

/** Makes the database refuse every audit event of `type` while `fn` runs. */
async function refusingEvents<T>(type: AuditEventType, fn: () => Promise<T>): Promise<T> {
  await sql.raw(`create trigger refuse_audit before insert on audit_events when new.type = '${type}' begin select raise(abort, 'audit store refuses ${type}'); end`).execute(b.store.db);
  try {
    return await fn();
  } finally {
    await sql.raw('drop trigger refuse_audit').execute(b.store.db);
  }
}

const assignmentsOf = async (name: string) => ((await call('GET', '/api/roleAssignments?scope=/')).json() as { value: Array<{ id: string; principalName: string; roleDefinitionName: string }> }).value.filter((a) => a.principalName === name);

beforeAll(async () => {
  b = await createTestBastion({ users: [{ username: 'bob', password: PASSWORD }] });
  admin = await signInAsReadyAdmin(b);
  expect((await call('POST', '/api/groups', { name: 'ops' })).statusCode).toBe(201);
  expect((await call('PUT', `${sub()}/resourceGroups/rg-keep`, {})).statusCode).toBe(200);
}, 60_000);
afterAll(async () => {
  await b?.dispose();
});

describe('a state change whose audit event cannot be written does not happen', () => {
  it('role assignments: neither a new grant nor a removal without its event', async () => {
    const res = await refusingEvents('rbac.assignment.created', () => call('POST', '/api/roleAssignments', { assignee: 'bob', role: 'Reader', scope: '/' }));
    expect(res.statusCode, res.body).toBe(500);
    expect(await assignmentsOf('bob')).toEqual([]);

    expect((await call('POST', '/api/roleAssignments', { assignee: 'bob', role: 'Reader', scope: '/' })).statusCode).toBe(201);
    const [granted] = await assignmentsOf('bob');
    const del = await refusingEvents('rbac.assignment.deleted', () => call('DELETE', `/api/roleAssignments/${granted!.id}`));
    expect(del.statusCode, del.body).toBe(500);
    expect((await assignmentsOf('bob')).map((a) => a.id)).toEqual([granted!.id]);
    expect(await events('rbac.assignment.created')).toBe(1);
    expect(await events('rbac.assignment.deleted')).toBe(0);
  });

  it('custom roles, users, groups and memberships', async () => {
    const role = await refusingEvents('rbac.role.created', () => call('POST', '/api/roleDefinitions', { name: 'Atomic Reader', actions: ['*/read'], assignableScopes: ['/'] }));
    expect(role.statusCode, role.body).toBe(500);
    expect(((await call('GET', '/api/roleDefinitions')).json() as { value: Array<{ name: string }> }).value.map((r) => r.name)).not.toContain('Atomic Reader');

    const user = await refusingEvents('user.created', () => call('POST', '/api/users', { username: 'carol', password: PASSWORD }));
    expect(user.statusCode, user.body).toBe(500);
    expect((await call('GET', '/api/users/carol')).statusCode).toBe(404);

    const group = await refusingEvents('group.created', () => call('POST', '/api/groups', { name: 'night-shift' }));
    expect(group.statusCode, group.body).toBe(500);
    const member = await refusingEvents('group.member.added', () => call('PUT', '/api/groups/ops/members/bob'));
    expect(member.statusCode, member.body).toBe(500);
    const groups = ((await call('GET', '/api/groups')).json() as { value: Array<{ name: string; members: string[] }> }).value;
    expect(groups.map((g) => g.name)).not.toContain('night-shift');
    expect(groups.find((g) => g.name === 'ops')?.members).toEqual([]);

    const gone = await refusingEvents('user.deleted', () => call('DELETE', '/api/users/bob'));
    expect(gone.statusCode, gone.body).toBe(500);
    expect((await call('GET', '/api/users/bob')).statusCode).toBe(200);
  });

  it('inventory writes and deletes', async () => {
    const put = await refusingEvents('resource.written', () => call('PUT', `${sub()}/resourceGroups/rg-ghost`, {}));
    expect(put.statusCode, put.body).toBe(500);
    expect((await call('GET', `${sub()}/resourceGroups/rg-ghost`)).statusCode).toBe(404);
    const del = await refusingEvents('resource.deleted', () => call('DELETE', `${sub()}/resourceGroups/rg-keep`));
    expect(del.statusCode, del.body).toBe(500);
    expect((await call('GET', `${sub()}/resourceGroups/rg-keep`)).statusCode).toBe(200);
  });

  it('key vaults', async () => {
    const res = await refusingEvents('vault.created', () => call('PUT', `${sub()}/resourceGroups/rg-keep/providers/Microsoft.KeyVault/vaults/kv-ghost`, {}));
    expect(res.statusCode, res.body).toBe(500);
    expect((await call('GET', `${sub()}/resourceGroups/rg-keep/providers/Microsoft.KeyVault/vaults/kv-ghost`)).statusCode).toBe(404);
  });

  it('sign-in, API tokens and password changes', async () => {
    const sessions = await count('web_sessions');
    const login = await refusingEvents('user.login', () => b.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bob', password: PASSWORD } }));
    expect(login.statusCode, login.body).toBe(500);
    expect(login.cookies.find((c) => c.name === 'bastion_session')).toBeUndefined();
    expect(await count('web_sessions')).toBe(sessions);

    const tokens = await count('cli_tokens');
    const token = await refusingEvents('user.token.issued', () => b.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username: 'bob', password: PASSWORD } }));
    expect(token.statusCode, token.body).toBe(500);
    expect(await count('cli_tokens')).toBe(tokens);

    const bob = await signIn(b.app, 'bob', PASSWORD);
    const change = await refusingEvents('user.password.changed', () => as(b.app, bob, { method: 'POST', url: '/api/auth/password', payload: { currentPassword: PASSWORD, newPassword: ADMIN_PASSWORD } }));
    expect(change.statusCode, change.body).toBe(500);
    // The old password still works and the new one does not: the change did not happen.
    await signIn(b.app, 'bob', PASSWORD);
    expect((await b.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bob', password: ADMIN_PASSWORD } })).statusCode).toBe(401);
  });
});
