import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { BastionConfig } from '../config/index.js';
import { as, createTestBastion, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Issue #12: no API call may leave the bastion without an enabled Owner at "/" (nobody could manage
 * users or access any more). Every removal path is refused with 409 BST_ERR_LAST_OWNER, changes nothing,
 * and is audited; two parallel removals of two Owners never both succeed.
 */
const PASSWORD = 'Owner-Guard-Pass-1';
let b: TestBastion | undefined;
afterEach(async () => {
  await b?.dispose();
  b = undefined;
});

interface Assignment { id: string; principalType: string; principalName: string; roleDefinitionName: string; scope: string }

/** A fresh bastion: the first admin (Owner at "/" directly), plus what `extra` declares. */
async function start(extra: Partial<BastionConfig> = {}): Promise<{ admin: Session }> {
  b = await createTestBastion(extra);
  return { admin: await signInAsReadyAdmin(b) };
}
const bastion = (): TestBastion => b!;
const call = (s: Session, method: 'GET' | 'DELETE' | 'PUT', url: string) => as(bastion().app, s, { method, url });
const owners = async (s: Session): Promise<Array<[string, string]>> => {
  const res = await call(s, 'GET', '/api/roleAssignments?scope=/');
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { value: Assignment[] }).value.filter((a) => a.roleDefinitionName === 'Owner').map((a) => [a.principalType, a.principalName]);
};
const ownerAssignmentOf = async (s: Session, name: string): Promise<string> => {
  const res = await call(s, 'GET', '/api/roleAssignments?scope=/');
  const found = (res.json() as { value: Assignment[] }).value.find((a) => a.roleDefinitionName === 'Owner' && a.principalName === name);
  if (!found) throw new Error(`no Owner assignment at / for ${name}: ${res.body}`);
  return found.id;
};
const expectLastOwner = (res: LightMyRequestResponse, change: string): void => {
  const error = (res.json() as { error: { code: string; message: string } }).error;
  expect({ status: res.statusCode, code: error?.code }, res.body).toEqual({ status: 409, code: 'BST_ERR_LAST_OWNER' });
  expect(error.message).toContain(change);
  expect(error.message).toContain('Owner');
};
const refusals = async (s: Session) =>
  ((await call(s, 'GET', '/api/audit?type=rbac.last_owner.refused')).json() as { value: Array<{ actor: string; outcome: string; target: string; message: string }> }).value;

describe('the last Owner at "/"', () => {
  it('cannot lose their Owner assignment; once another Owner exists, it can go', async () => {
    const { admin } = await start({ users: [{ username: 'bob', password: PASSWORD }] });
    const adminOwner = await ownerAssignmentOf(admin, 'admin');
    const res = await call(admin, 'DELETE', `/api/roleAssignments/${adminOwner}`);
    expectLastOwner(res, 'Removing this role assignment');
    expect(await owners(admin)).toEqual([['user', 'admin']]);
    expect(await refusals(admin)).toMatchObject([{ actor: 'admin', outcome: 'failure', target: '/' }]);

    // Only Owner at "/" is guarded: the admin's other role at "/" goes as usual.
    const kv = ((await call(admin, 'GET', '/api/roleAssignments?scope=/')).json() as { value: Assignment[] }).value.find((a) => a.roleDefinitionName === 'Key Vault Administrator')!;
    expect((await call(admin, 'DELETE', `/api/roleAssignments/${kv.id}`)).statusCode).toBe(204);

    const granted = await as(bastion().app, admin, { method: 'POST', url: '/api/roleAssignments', payload: { assignee: 'bob', role: 'Owner', scope: '/' } });
    expect(granted.statusCode, granted.body).toBe(201);
    expect((await call(admin, 'DELETE', `/api/roleAssignments/${adminOwner}`)).statusCode).toBe(204);
    const bob = await signIn(bastion().app, 'bob', PASSWORD);
    expect(await owners(bob)).toEqual([['user', 'bob']]);
    expectLastOwner(await call(bob, 'DELETE', `/api/roleAssignments/${await ownerAssignmentOf(bob, 'bob')}`), 'Removing this role assignment');
  });

  it('cannot be removed from the group that makes them Owner, nor can that group be deleted', async () => {
    const { admin } = await start({
      users: [
        { username: 'bob', password: PASSWORD, groups: ['admins'] },
        { username: 'carol', password: PASSWORD },
      ],
      roleAssignments: [{ assignee: 'admins', assigneeType: 'group', role: 'Owner', scope: '/' }],
    });
    // bob is Owner through the group: the admin's direct assignment may go.
    expect((await call(admin, 'DELETE', `/api/roleAssignments/${await ownerAssignmentOf(admin, 'admin')}`)).statusCode).toBe(204);
    const bob = await signIn(bastion().app, 'bob', PASSWORD);

    expectLastOwner(await call(bob, 'DELETE', '/api/groups/admins/members/bob'), 'Removing bob from group admins');
    expectLastOwner(await call(bob, 'DELETE', '/api/groups/admins'), 'Deleting group admins');
    expectLastOwner(await call(bob, 'DELETE', `/api/roleAssignments/${await ownerAssignmentOf(bob, 'admins')}`), 'Removing this role assignment');
    const groups = (await call(bob, 'GET', '/api/groups')).json() as { value: Array<{ name: string; members: string[] }> };
    expect(groups.value).toEqual([expect.objectContaining({ name: 'admins', members: ['bob'] })]);
    expect(await owners(bob)).toEqual([['group', 'admins']]);
    expect((await refusals(bob)).map((e) => [e.actor, e.target, e.outcome])).toEqual([
      ['bob', '/', 'failure'],
      ['bob', 'admins', 'failure'],
      ['bob', 'admins', 'failure'],
    ]);

    // With carol in the group too, bob may leave it.
    expect((await call(bob, 'PUT', '/api/groups/admins/members/carol')).statusCode).toBe(204);
    expect((await call(bob, 'DELETE', '/api/groups/admins/members/bob')).statusCode).toBe(204);
  });

  it('cannot be deleted, and a refused deletion keeps every assignment the user had', async () => {
    const { admin } = await start({
      users: [{ username: 'bob', password: PASSWORD, groups: ['admins'] }],
      roleAssignments: [
        { assignee: 'admins', assigneeType: 'group', role: 'Owner', scope: '/' },
        { assignee: 'bob', assigneeType: 'user', role: 'Owner', scope: '/' },
      ],
    });
    const bob = await signIn(bastion().app, 'bob', PASSWORD);
    // Two Owners: admin (directly) and bob (directly and through admins). bob deletes the admin.
    expect((await call(bob, 'DELETE', '/api/users/admin')).statusCode).toBe(204);
    expectLastOwner(await call(bob, 'DELETE', '/api/users/bob'), 'Deleting user bob');
    // Refused as a whole: bob's direct assignment did not go before the user was found to be the last Owner.
    expect((await owners(bob)).sort()).toEqual([['group', 'admins'], ['user', 'bob']]);
    expect((await call(bob, 'GET', '/api/users/bob')).statusCode).toBe(200);
    expect(await refusals(bob)).toMatchObject([{ actor: 'bob', target: 'bob', outcome: 'failure' }]);
  });

  it('does not let two parallel requests each remove one of the two Owners', async () => {
    const { admin } = await start({ users: [{ username: 'bob', password: PASSWORD }], roleAssignments: [{ assignee: 'bob', role: 'Owner', scope: '/' }] });
    const ids = [await ownerAssignmentOf(admin, 'admin'), await ownerAssignmentOf(admin, 'bob')];
    const answers = await Promise.all(ids.map((id) => call(admin, 'DELETE', `/api/roleAssignments/${id}`)));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([204, 409]);
    const survivor = answers[0]!.statusCode === 409 ? admin : await signIn(bastion().app, 'bob', PASSWORD);
    expect(await owners(survivor)).toEqual([['user', survivor.username]]);
  });

  it('does not let a parallel assignment removal and group-member removal both succeed', async () => {
    const { admin } = await start({
      users: [{ username: 'bob', password: PASSWORD, groups: ['admins'] }],
      roleAssignments: [{ assignee: 'admins', assigneeType: 'group', role: 'Owner', scope: '/' }],
    });
    const answers = await Promise.all([call(admin, 'DELETE', `/api/roleAssignments/${await ownerAssignmentOf(admin, 'admin')}`), call(admin, 'DELETE', '/api/groups/admins/members/bob')]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([204, 409]);
    const survivor = answers[0]!.statusCode === 409 ? admin : await signIn(bastion().app, 'bob', PASSWORD);
    expect((await call(survivor, 'GET', '/api/users')).statusCode).toBe(200);
    const members = ((await call(survivor, 'GET', '/api/groups')).json() as { value: Array<{ members: string[] }> }).value[0]!.members;
    // Exactly one Owner left: bob through the group, or the admin directly.
    expect({ adminDirect: (await owners(survivor)).some(([t, n]) => t === 'user' && n === 'admin'), bobInGroup: members.includes('bob') }).toEqual(survivor === admin ? { adminDirect: true, bobInGroup: false } : { adminDirect: false, bobInGroup: true });
  });
});
