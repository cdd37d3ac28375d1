import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../protocol/src/audit-events.js';
import { AuditLog } from '../../server/src/audit/audit-log.js';
import { openStore } from '../../server/src/storage/open.js';
import { cliActor } from './context.js';
import { parseRoleDefinition, type AssignmentView, type DefinitionView } from './role.js';
import { tempBastion } from './test-helpers.js';

let b: ReturnType<typeof tempBastion>;
let rgId: string;
const ACTOR = `cli:${userInfo().username}`;

beforeEach(async () => {
  b = tempBastion();
  for (const argv of [
    ['user', 'create', '-u', 'alice', '-p', 'Correct-Horse-42'],
    ['user', 'create', '-u', 'bob', '-p', 'Correct-Horse-43'],
    ['identity-group', 'create', '-n', 'operators'],
    ['group-member', 'add', '--group', 'operators', '-u', 'bob'],
    ['group', 'create', '-n', 'rg1'],
  ])
    expect((await b.cli(argv)).code, argv.join(' ')).toBe(0);
  rgId = (await b.cli(['group', 'show', '-n', 'rg1'])).json<{ id: string }>().id;
});
afterEach(() => b.cleanup());

async function auditEvents(type?: string): Promise<AuditEvent[]> {
  const store = await openStore({ sqliteFile: join(b.dir, 'data', 'bastion.db') });
  try {
    return (await new AuditLog(store.db).list({ type })).reverse();
  } finally {
    await store.close();
  }
}

describe('bastion role assignment', () => {
  it('creates an assignment, lists it as JSON and as a table, and audits it', async () => {
    const created = await b.cli(['role', 'assignment', 'create', '--assignee', 'ALICE', '--role', 'reader', '--scope', rgId.replace('resourceGroups', 'resourcegroups')]);
    expect(created.err).toBe('');
    const a = created.json<AssignmentView>();
    expect(a).toMatchObject({ principalType: 'user', principalName: 'alice', roleDefinitionName: 'Reader', roleDefinitionId: 'acdd72a7-3385-48ef-bd42-f606fba81ae7', scope: rgId, createdBy: null, inherited: false });

    const listed = (await b.cli(['role', 'assignment', 'list'])).json<AssignmentView[]>();
    expect(listed).toEqual([a]);
    const table = await b.cli(['role', 'assignment', 'list', '--scope', rgId, '-o', 'table']);
    expect(table.out.split('\n')[0]).toMatch(/^Principal\s+PrincipalType\s+Role\s+Scope\s+Inherited\s+Id$/);
    expect(table.out).toContain(`alice      user           Reader  ${rgId}  false      ${a.id}`);

    const [event, ...more] = await auditEvents('rbac.assignment.created');
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      type: 'rbac.assignment.created',
      code: 'A2000I',
      actor: ACTOR,
      clientIp: null,
      target: rgId,
      outcome: 'success',
      message: `Role Reader assigned to user alice at ${rgId}.`,
      details: { assignmentId: a.id, role: 'Reader', principalType: 'user', principal: 'alice', scope: rgId },
    });
  });

  it('filters by scope (with inherited ones), by assignee and with the groups of a user', async () => {
    await b.cli(['role', 'assignment', 'create', '--assignee', 'alice', '--role', 'Owner', '--scope', '/']);
    await b.cli(['role', 'assignment', 'create', '--assignee', 'operators', '--role', 'Contributor', '--scope', rgId]);
    const sub = rgId.split('/resourceGroups/')[0]!;
    await b.cli(['role', 'assignment', 'create', '--assignee', 'bob', '--role', 'Reader', '--scope', sub]);

    const names = (r: { json<T>(): T }) => r.json<AssignmentView[]>().map((a) => `${a.principalName}:${a.roleDefinitionName}:${a.inherited}`);
    expect(names(await b.cli(['role', 'assignment', 'list', '--scope', rgId]))).toEqual(['operators:Contributor:false']);
    expect(names(await b.cli(['role', 'assignment', 'list', '--scope', rgId, '--include-inherited']))).toEqual(['alice:Owner:true', 'bob:Reader:true', 'operators:Contributor:false']);
    expect(names(await b.cli(['role', 'assignment', 'list', '--scope', '/']))).toEqual(['alice:Owner:false']);
    expect(names(await b.cli(['role', 'assignment', 'list', '--assignee', 'bob']))).toEqual(['bob:Reader:false']);
    expect(names(await b.cli(['role', 'assignment', 'list', '--assignee', 'bob', '--include-groups']))).toEqual(['bob:Reader:false', 'operators:Contributor:false']);
    expect(names(await b.cli(['role', 'assignment', 'list', '--assignee', 'operators', '--assignee-type', 'group']))).toEqual(['operators:Contributor:false']);
    expect(await b.cli(['role', 'assignment', 'list', '--scope', '/', '-o', 'table'])).toMatchObject({ code: 0 });
    expect(await b.cli(['role', 'assignment', 'list', '--scope', rgId + '/x'])).toMatchObject({ code: 1, err: expect.stringMatching(/^error: scope: Invalid resource ID/) as unknown });
  });

  it('refuses an unknown role, an unknown assignee, a bad or missing scope and a duplicate', async () => {
    const create = (assignee: string, role: string, scope: string, ...more: string[]) => b.cli(['role', 'assignment', 'create', '--assignee', assignee, '--role', role, '--scope', scope, ...more]);
    expect(await create('alice', 'Janitor', '/')).toMatchObject({ code: 1, out: '', err: 'error: role "Janitor" is not a known role definition (name or ID); see `bastion role definition list`.\n' });
    expect(await create('carol', 'Reader', '/')).toMatchObject({ code: 1, err: 'error: assignee "carol" is not a known user or group.\n' });
    expect(await create('alice', 'Reader', '/', '--assignee-type', 'group')).toMatchObject({ code: 1, err: 'error: assignee "alice" is not a known group.\n' });
    expect(await create('alice', 'Reader', 'rg1')).toMatchObject({ code: 1, err: expect.stringMatching(/^error: scope: Invalid resource ID "rg1": it must start with '\/subscriptions\/'\..*\n$/) as unknown });
    expect(await create('alice', 'Reader', rgId.replace('rg1', 'rg2'))).toMatchObject({ code: 1, err: `error: scope ${rgId.replace('rg1', 'rg2')} does not exist in the inventory.\n` });
    expect(await create('alice', 'Reader', '/subscriptions/other')).toMatchObject({ code: 1, err: expect.stringMatching(/^error: scope \/subscriptions\/other is not in this bastion's subscription/) as unknown });

    const first = (await create('alice', 'Reader', rgId)).json<AssignmentView>();
    expect(await create('Alice', 'READER', rgId)).toMatchObject({ code: 1, out: '', err: `error: User alice already has role Reader at ${rgId} (assignment ${first.id}).\n` });
    expect((await b.cli(['role', 'assignment', 'list'])).json()).toHaveLength(1);
    expect(await auditEvents('rbac.assignment.created')).toHaveLength(1);
  });

  it('deletes by --ids or by --assignee --role --scope, and audits each removal', async () => {
    const a = (await b.cli(['role', 'assignment', 'create', '--assignee', 'alice', '--role', 'Reader', '--scope', rgId])).json<AssignmentView>();
    await b.cli(['role', 'assignment', 'create', '--assignee', 'operators', '--role', 'Contributor', '--scope', '/']);

    expect(await b.cli(['role', 'assignment', 'delete', '--ids', a.id])).toMatchObject({ code: 0, out: '', err: '' });
    expect(await b.cli(['role', 'assignment', 'delete', '--ids', a.id])).toMatchObject({ code: 1, err: `error: Role assignment ${a.id} was not found.\n` });
    expect(await b.cli(['role', 'assignment', 'delete', '--assignee', 'operators', '--role', 'Contributor'])).toMatchObject({ code: 1, err: 'error: Give --ids, or all of --assignee, --role and --scope.\n' });
    expect(await b.cli(['role', 'assignment', 'delete', '--assignee', 'operators', '--role', 'Reader', '--scope', '/'])).toMatchObject({ code: 1, err: 'error: A role assignment of Reader to group operators at / was not found.\n' });
    expect(await b.cli(['role', 'assignment', 'delete', '--assignee', 'operators', '--role', 'Contributor', '--scope', '/'])).toMatchObject({ code: 0, out: '' });
    expect((await b.cli(['role', 'assignment', 'list'])).json()).toEqual([]);

    const events = await auditEvents('rbac.assignment.deleted');
    expect(events.map((e) => [e.actor, e.clientIp, e.target, e.message, e.details])).toEqual([
      [ACTOR, null, rgId, `Role Reader removed from user alice at ${rgId}.`, { assignmentId: a.id, role: 'Reader', principalType: 'user', principal: 'alice', scope: rgId }],
      [ACTOR, null, '/', 'Role Contributor removed from group operators at /.', expect.objectContaining({ role: 'Contributor', principalType: 'group', principal: 'operators', scope: '/' })],
    ]);
  });

  it('removes the role assignments of a deleted user or user group', async () => {
    await b.cli(['role', 'assignment', 'create', '--assignee', 'alice', '--role', 'Reader', '--scope', '/']);
    await b.cli(['role', 'assignment', 'create', '--assignee', 'bob', '--role', 'Reader', '--scope', '/']);
    await b.cli(['role', 'assignment', 'create', '--assignee', 'operators', '--role', 'Reader', '--scope', '/']);
    expect(await b.cli(['user', 'delete', '-u', 'alice'])).toMatchObject({ code: 0, out: '' });
    expect(await b.cli(['identity-group', 'delete', '-n', 'operators'])).toMatchObject({ code: 0, out: '' });
    expect((await b.cli(['role', 'assignment', 'list'])).json<AssignmentView[]>().map((a) => a.principalName)).toEqual(['bob']);
    // A user or group created later under the same name does not inherit the old assignments.
    await b.cli(['user', 'create', '-u', 'alice', '-p', 'Correct-Horse-44']);
    expect((await b.cli(['role', 'assignment', 'list', '--assignee', 'alice'])).json()).toEqual([]);
  });
});

describe('bastion role definition', () => {
  const definition = {
    Name: 'VM Operator',
    Description: 'Reads everything and restarts VMs.',
    Actions: ['*/read', 'Microsoft.Compute/virtualMachines/*'],
    NotActions: ['Microsoft.Compute/virtualMachines/delete'],
    AssignableScopes: ['/'],
  };

  it('lists the built-in roles as JSON and as a table', async () => {
    const roles = (await b.cli(['role', 'definition', 'list'])).json<DefinitionView[]>();
    expect(roles.map((r) => [r.name, r.roleType, r.builtIn])).toEqual([
      ['Owner', 'BuiltInRole', true],
      ['Contributor', 'BuiltInRole', true],
      ['Reader', 'BuiltInRole', true],
      ['User Access Administrator', 'BuiltInRole', true],
      ['Key Vault Administrator', 'BuiltInRole', true],
      ['Key Vault Secrets User', 'BuiltInRole', true],
      ['Key Vault Reader', 'BuiltInRole', true],
    ]);
    const table = await b.cli(['role', 'definition', 'list', '-o', 'table']);
    expect(table.out.split('\n')[0]).toMatch(/^Name\s+Type\s+Id\s+AssignableScopes\s+Description$/);
    expect(table.out).toMatch(/^Reader\s+BuiltInRole\s+acdd72a7-3385-48ef-bd42-f606fba81ae7\s+\/\s+View all resources/m);
    expect((await b.cli(['role', 'definition', 'list', '--custom-role-only'])).json()).toEqual([]);
    expect((await b.cli(['role', 'definition', 'list', '-n', 'owner'])).json<DefinitionView[]>().map((r) => r.name)).toEqual(['Owner']);
  });

  it('creates a custom role from a JSON file, assigns it, refuses to delete it while assigned, then deletes it', async () => {
    const file = join(b.dir, 'vm-operator.json');
    writeFileSync(file, JSON.stringify(definition, null, 2));
    const created = await b.cli(['role', 'definition', 'create', '--role-definition', `@${file}`]);
    expect(created.err).toBe('');
    const role = created.json<DefinitionView>();
    expect(role).toMatchObject({ name: 'VM Operator', roleType: 'CustomRole', builtIn: false, description: definition.Description, actions: definition.Actions, notActions: definition.NotActions, assignableScopes: ['/'] });

    const a = (await b.cli(['role', 'assignment', 'create', '--assignee', 'alice', '--role', 'vm operator', '--scope', rgId])).json<AssignmentView>();
    expect(a).toMatchObject({ roleDefinitionId: role.id, roleDefinitionName: 'VM Operator' });
    expect((await b.cli(['role', 'definition', 'list', '--custom-role-only', '-o', 'table'])).out).toMatch(/^VM Operator\s+CustomRole\s+[0-9a-f-]{36}\s+\/\s+Reads everything/m);

    expect(await b.cli(['role', 'definition', 'create', '--role-definition', file])).toMatchObject({ code: 1, err: 'error: A role named VM Operator already exists.\n' });
    expect(await b.cli(['role', 'definition', 'delete', '-n', 'VM Operator'])).toMatchObject({ code: 1, err: expect.stringMatching(/^error: Role VM Operator cannot be deleted: it is still assigned/) as unknown });
    expect(await b.cli(['role', 'assignment', 'delete', '--ids', a.id])).toMatchObject({ code: 0 });
    expect(await b.cli(['role', 'definition', 'delete', '--name', role.id])).toMatchObject({ code: 0, out: '', err: '' });
    expect((await b.cli(['role', 'definition', 'list', '--custom-role-only'])).json()).toEqual([]);

    const events = await auditEvents();
    expect(events.filter((e) => e.type.startsWith('rbac.role.')).map((e) => [e.type, e.actor, e.clientIp, e.target, e.message, e.details.role])).toEqual([
      ['rbac.role.created', ACTOR, null, role.id, 'Custom role VM Operator created.', 'VM Operator'],
      ['rbac.role.deleted', ACTOR, null, role.id, 'Custom role VM Operator deleted.', 'VM Operator'],
    ]);
    expect(events.find((e) => e.type === 'rbac.role.created')?.details).toEqual({ role: 'VM Operator', actions: definition.Actions, notActions: definition.NotActions, assignableScopes: ['/'] });
  });

  it('takes camelCase JSON inline and refuses bad definitions', async () => {
    const inline = JSON.stringify({ name: 'Net Reader', actions: ['Microsoft.Network/*/read'], assignableScopes: [rgId] });
    const role = (await b.cli(['role', 'definition', 'create', '--role-definition', inline])).json<DefinitionView>();
    expect(role).toMatchObject({ name: 'Net Reader', description: '', notActions: [], assignableScopes: [rgId] });
    expect(await b.cli(['role', 'assignment', 'create', '--assignee', 'alice', '--role', 'Net Reader', '--scope', '/'])).toMatchObject({ code: 1, err: `error: Role Net Reader cannot be assigned at /: its assignableScopes are ${rgId}.\n` });

    const bad = (arg: string) => b.cli(['role', 'definition', 'create', '--role-definition', arg]);
    expect(await bad('{"Name": "x",')).toMatchObject({ code: 1, err: expect.stringMatching(/^error: the --role-definition value is not valid JSON: /) as unknown });
    expect(await bad('@' + join(b.dir, 'missing.json'))).toMatchObject({ code: 1, err: expect.stringMatching(/^error: Cannot read role definition file .*missing\.json: ENOENT/) as unknown });
    expect(await bad('{"Name": "x", "Actions": ["*/read"], "AssignableScopes": ["/"], "Permissions": []}')).toMatchObject({ code: 1, err: expect.stringMatching(/^error: Unknown key "Permissions" in the role definition/) as unknown });
    expect(await bad('{"Name": "x", "Actions": [], "AssignableScopes": ["/"]}')).toMatchObject({ code: 1, err: expect.stringMatching(/^error: actions must name at least one action/) as unknown });
    expect(await bad('{"Name": "Reader", "Actions": ["*/read"], "AssignableScopes": ["/"]}')).toMatchObject({ code: 1, err: 'error: Reader is a built-in role: choose another name (or ID) for a custom role.\n' });
    expect(await b.cli(['role', 'definition', 'delete', '-n', 'Reader'])).toMatchObject({ code: 1, err: 'error: Reader is a built-in role and cannot be changed or deleted.\n' });
    expect(await b.cli(['role', 'definition', 'delete', '-n', 'Nope'])).toMatchObject({ code: 1, err: 'error: Role definition Nope was not found.\n' });
    expect(await auditEvents('rbac.role.created')).toHaveLength(1);
  });
});

describe('parseRoleDefinition', () => {
  it("reads Azure's keys in any case, keeps the GUID of an Id, and refuses data actions and duplicates", () => {
    const id = '0b5fe1b6-9bdd-4c3a-9a36-1d5a0c3b2f10';
    expect(parseRoleDefinition(JSON.stringify({ roleName: 'A', ACTIONS: ['*/read'], assignableScopes: ['/'], Id: `/providers/Microsoft.Authorization/roleDefinitions/${id}`, IsCustom: true, DataActions: [] }))).toEqual({
      input: { name: 'A', actions: ['*/read'], assignableScopes: ['/'] },
      id,
    });
    expect(() => parseRoleDefinition('{"Name": "A", "DataActions": ["x/*"]}')).toThrow('DataActions is not supported');
    expect(() => parseRoleDefinition('{"Name": "A", "name": "B"}')).toThrow('The role definition gives name twice ("Name" and "name").');
    expect(() => parseRoleDefinition('{"IsCustom": false}')).toThrow('IsCustom must be true');
    expect(() => parseRoleDefinition('[1]')).toThrow('must hold a JSON object');
  });

  it('names the OS user as the actor', () => {
    expect(cliActor()).toBe(ACTOR);
  });
});
