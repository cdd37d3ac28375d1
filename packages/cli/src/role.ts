import { existsSync, readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { conflict, notFound, validationError } from '../../server/src/errors.js';
import { TENANT_SCOPE, type PrincipalType, type RoleAssignment, type RoleDefinition, type RoleDefinitionInput } from '../../server/src/rbac/index.js';
import { checkScope } from '../../server/src/rbac/validation.js';
import { action, type Ctx } from './context.js';
import type { Io } from './io.js';
import type { Columns } from './output.js';

/** An assignment as the API shows it: with the principal's and the role's names. */
export type AssignmentView = RoleAssignment & { principalName: string; roleDefinitionName: string; inherited: boolean };
export type DefinitionView = RoleDefinition & { builtIn: boolean };

const assignmentColumns: Columns<AssignmentView> = {
  Principal: (a) => a.principalName,
  PrincipalType: (a) => a.principalType,
  Role: (a) => a.roleDefinitionName,
  Scope: (a) => a.scope,
  Inherited: (a) => a.inherited,
  Id: (a) => a.id,
};

const definitionColumns: Columns<DefinitionView> = {
  Name: (r) => r.name,
  Type: (r) => r.roleType,
  Id: (r) => r.id,
  AssignableScopes: (r) => r.assignableScopes,
  Description: (r) => r.description,
};

const label = (type: PrincipalType): string => (type === 'user' ? 'User' : 'Group');

interface Principal {
  type: PrincipalType;
  id: string;
  name: string;
}

/** A user or group by name, users first (as the API and `az role assignment create --assignee` resolve). */
async function resolveAssignee(ctx: Ctx, name: string, type?: PrincipalType): Promise<Principal> {
  const key = name.toLowerCase();
  if (type !== 'group') {
    const u = await ctx.store.db.selectFrom('users').select(['id', 'username']).where('username_key', '=', key).executeTakeFirst();
    if (u) return { type: 'user', id: u.id, name: u.username };
  }
  if (type !== 'user') {
    const g = await ctx.store.db.selectFrom('groups').select(['id', 'name']).where('name_key', '=', key).executeTakeFirst();
    if (g) return { type: 'group', id: g.id, name: g.name };
  }
  throw validationError(`assignee ${JSON.stringify(name)} is not a known ${type ?? 'user or group'}.`);
}

/** The API's assignment view: principal and role names resolved in three queries. */
async function view(ctx: Ctx, list: RoleAssignment[], requestedScope?: string): Promise<AssignmentView[]> {
  const users = await ctx.store.db.selectFrom('users').select(['id', 'username']).execute();
  const groups = await ctx.store.db.selectFrom('groups').select(['id', 'name']).execute();
  const names = new Map([...users.map((u) => [`user:${u.id}`, u.username] as const), ...groups.map((g) => [`group:${g.id}`, g.name] as const)]);
  const roles = await ctx.roles.roleDefinitionsById(list.map((a) => a.roleDefinitionId));
  return list.map((a) => ({
    ...a,
    principalName: names.get(`${a.principalType}:${a.principalId}`) ?? a.principalId,
    roleDefinitionName: roles.get(a.roleDefinitionId.toLowerCase())?.name ?? a.roleDefinitionId,
    inherited: requestedScope !== undefined && a.scope.toLowerCase() !== requestedScope.toLowerCase(),
  }));
}

/**
 * The canonical scope, which must exist: '/', this bastion's subscription, or a resource group or resource
 * in the inventory (as Azure refuses an assignment at a resource group that does not exist).
 */
async function existingScope(ctx: Ctx, scope: string): Promise<string> {
  const canonical = checkScope(scope);
  if (canonical === TENANT_SCOPE) return canonical;
  const subscription = `/subscriptions/${ctx.subscriptionId}`;
  if (canonical.toLowerCase() === subscription.toLowerCase()) return subscription;
  if (!canonical.toLowerCase().startsWith(`${subscription.toLowerCase()}/`)) throw validationError(`scope ${canonical} is not in this bastion's subscription (${subscription}).`);
  const resource = await ctx.inventory.get(canonical);
  if (!resource) throw validationError(`scope ${canonical} does not exist in the inventory.`);
  return resource.id;
}

// ----- role definitions from JSON ------------------------------------------------------------------

/** Keys of Azure's role definition JSON, matched case-insensitively (Name / name / roleName …). */
const DEFINITION_KEYS: Record<string, keyof RoleDefinitionInput | 'id' | 'isCustom' | 'dataActions'> = {
  name: 'name',
  rolename: 'name',
  description: 'description',
  actions: 'actions',
  notactions: 'notActions',
  assignablescopes: 'assignableScopes',
  id: 'id',
  iscustom: 'isCustom',
  dataactions: 'dataActions',
  notdataactions: 'dataActions',
};

/** `--role-definition`: a JSON string, `@file.json`, or (as az accepts) the path of a JSON file. */
function readDefinitionArg(value: string): { text: string; source: string } {
  const path = value.startsWith('@') ? value.slice(1) : !value.trimStart().startsWith('{') && existsSync(value) ? value : undefined;
  if (path === undefined) return { text: value, source: 'the --role-definition value' };
  try {
    return { text: readFileSync(path, 'utf8').replace(/^\uFEFF/, ''), source: path };
  } catch (err) {
    throw validationError(`Cannot read role definition file ${path}: ${(err as Error).message}`);
  }
}

/** Azure's role definition shape (PascalCase or camelCase keys) → the store's input, plus an optional ID. */
export function parseRoleDefinition(value: string): { input: RoleDefinitionInput; id?: string } {
  const { text, source } = readDefinitionArg(value);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw validationError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw validationError(`${source} must hold a JSON object such as {"Name": "…", "Actions": ["…"], "AssignableScopes": ["/"]}.`);
  const out: Record<string, unknown> = {};
  const seen = new Map<string, string>();
  for (const [key, v] of Object.entries(json)) {
    const field = DEFINITION_KEYS[key.toLowerCase()];
    if (!field) throw validationError(`Unknown key ${JSON.stringify(key)} in the role definition (expected Name, Description, Actions, NotActions, AssignableScopes; optional Id, IsCustom).`);
    const previous = seen.get(field);
    if (previous !== undefined && field !== 'dataActions') throw validationError(`The role definition gives ${field} twice (${JSON.stringify(previous)} and ${JSON.stringify(key)}).`);
    seen.set(field, key);
    if (field === 'dataActions') {
      if (v !== null && !(Array.isArray(v) && v.length === 0)) throw validationError(`${key} is not supported: the bastion has no data actions (leave it out or empty).`);
    } else if (field === 'isCustom') {
      if (v !== true && v !== null) throw validationError(`${key} must be true: only custom roles can be created.`);
    } else out[field] = v;
  }
  let id: string | undefined;
  if (out.id !== undefined && out.id !== null) {
    if (typeof out.id !== 'string') throw validationError('Id must be a string (a GUID).');
    // Azure exports the full ID (…/providers/Microsoft.Authorization/roleDefinitions/<guid>): keep the GUID.
    id = out.id.slice(out.id.lastIndexOf('/') + 1);
  }
  delete out.id;
  return id === undefined ? { input: out as unknown as RoleDefinitionInput } : { input: out as unknown as RoleDefinitionInput, id };
}

// ----- commands ------------------------------------------------------------------------------------

interface AssignmentCreateOptions {
  assignee: string;
  assigneeType?: PrincipalType;
  role: string;
  scope: string;
}

interface AssignmentListOptions {
  scope?: string;
  includeInherited?: boolean;
  assignee?: string;
  assigneeType?: PrincipalType;
  includeGroups?: boolean;
}

interface AssignmentDeleteOptions {
  ids?: string[];
  assignee?: string;
  assigneeType?: PrincipalType;
  role?: string;
  scope?: string;
}

async function createAssignment(ctx: Ctx, o: AssignmentCreateOptions): Promise<AssignmentView> {
  const scope = await existingScope(ctx, o.scope);
  const principal = await resolveAssignee(ctx, o.assignee, o.assigneeType);
  const role = await ctx.roles.findRoleDefinition(o.role);
  if (!role) throw validationError(`role ${JSON.stringify(o.role)} is not a known role definition (name or ID); see \`bastion role definition list\`.`);
  const same = (await ctx.roles.listRoleAssignments({ scope, principal })).find((a) => a.roleDefinitionId === role.id);
  if (same) throw conflict(`${label(principal.type)} ${principal.name} already has role ${role.name} at ${scope} (assignment ${same.id}).`);
  const a = await ctx.roles.createRoleAssignment({ principalType: principal.type, principalId: principal.id, role: role.id, scope, createdBy: null });
  const [shown] = await view(ctx, [a]);
  await ctx.audit.write({
    actor: ctx.actor,
    clientIp: null,
    type: 'rbac.assignment.created',
    outcome: 'success',
    target: scope,
    message: `Role ${role.name} assigned to ${principal.type} ${principal.name} at ${scope}.`,
    details: { assignmentId: a.id, role: role.name, principalType: principal.type, principal: principal.name, scope },
  });
  return shown!;
}

async function listAssignments(ctx: Ctx, o: AssignmentListOptions): Promise<AssignmentView[]> {
  const scope = o.scope === undefined ? undefined : checkScope(o.scope);
  if (o.includeGroups && !o.assignee) throw validationError('--include-groups needs --assignee.');
  const list = await ctx.roles.listRoleAssignments(scope === undefined ? {} : { scope, inherited: o.includeInherited === true });
  if (!o.assignee) return view(ctx, list, scope);
  const principal = await resolveAssignee(ctx, o.assignee, o.assigneeType);
  const who = new Set([`${principal.type}:${principal.id}`]);
  if (o.includeGroups && principal.type === 'user')
    for (const m of await ctx.store.db.selectFrom('group_members').select('group_id').where('user_id', '=', principal.id).execute()) who.add(`group:${m.group_id}`);
  return view(ctx, list.filter((a) => who.has(`${a.principalType}:${a.principalId}`)), scope);
}

async function deleteAssignments(ctx: Ctx, o: AssignmentDeleteOptions): Promise<void> {
  const filters = [o.assignee, o.role, o.scope].filter((f) => f !== undefined).length;
  let doomed: RoleAssignment[];
  if (o.ids !== undefined) {
    if (filters > 0) throw validationError('Give either --ids or --assignee, --role and --scope, not both.');
    doomed = [];
    for (const id of o.ids) {
      const a = await ctx.roles.getRoleAssignment(id);
      if (!a) throw notFound(`Role assignment ${id}`);
      if (!doomed.some((d) => d.id === a.id)) doomed.push(a);
    }
  } else {
    if (filters < 3) throw validationError('Give --ids, or all of --assignee, --role and --scope.');
    const scope = checkScope(o.scope);
    const principal = await resolveAssignee(ctx, o.assignee!, o.assigneeType);
    const role = await ctx.roles.findRoleDefinition(o.role!);
    if (!role) throw validationError(`role ${JSON.stringify(o.role)} is not a known role definition (name or ID).`);
    doomed = (await ctx.roles.listRoleAssignments({ scope, principal })).filter((a) => a.roleDefinitionId === role.id);
    if (doomed.length === 0) throw notFound(`A role assignment of ${role.name} to ${principal.type} ${principal.name} at ${scope}`);
  }
  for (const shown of await view(ctx, doomed)) {
    await ctx.roles.deleteRoleAssignment(shown.id);
    await ctx.audit.write({
      actor: ctx.actor,
      clientIp: null,
      type: 'rbac.assignment.deleted',
      outcome: 'success',
      target: shown.scope,
      message: `Role ${shown.roleDefinitionName} removed from ${shown.principalType} ${shown.principalName} at ${shown.scope}.`,
      details: { assignmentId: shown.id, role: shown.roleDefinitionName, principalType: shown.principalType, principal: shown.principalName, scope: shown.scope },
    });
  }
}

async function createDefinition(ctx: Ctx, o: { roleDefinition: string }): Promise<DefinitionView> {
  const { input, id } = parseRoleDefinition(o.roleDefinition);
  const role = await ctx.roles.createRoleDefinition(input, id === undefined ? {} : { id });
  await ctx.audit.write({
    actor: ctx.actor,
    clientIp: null,
    type: 'rbac.role.created',
    outcome: 'success',
    target: role.id,
    message: `Custom role ${role.name} created.`,
    details: { role: role.name, actions: role.actions, notActions: role.notActions, assignableScopes: role.assignableScopes },
  });
  return { ...role, builtIn: false };
}

async function deleteDefinition(ctx: Ctx, o: { name: string }): Promise<void> {
  const role = await ctx.roles.findRoleDefinition(o.name);
  if (!role) throw notFound(`Role definition ${o.name}`);
  await ctx.roles.deleteRoleDefinition(role.id);
  await ctx.audit.write({
    actor: ctx.actor,
    clientIp: null,
    type: 'rbac.role.deleted',
    outcome: 'success',
    target: role.id,
    message: `Custom role ${role.name} deleted.`,
    details: { role: role.name, assignableScopes: role.assignableScopes },
  });
}

const assigneeTypeOption = () => new Option('--assignee-type <type>', 'look the assignee up only among users or only among groups (default: users first, then groups)').choices(['user', 'group']);

/** `bastion role assignment …` and `bastion role definition …`, as `az role`. */
export function registerRoleCommands(program: Command, io: Io): void {
  const role = program.command('role').description('Manage role definitions and role assignments (az role).');
  const assignment = role.command('assignment').description('Manage role assignments: who has which role at which scope.');

  assignment
    .command('create')
    .description('Assign a role to a user or group at a scope.')
    .requiredOption('--assignee <name>', 'user name or user group name')
    .addOption(assigneeTypeOption())
    .requiredOption('--role <role>', 'role name (e.g. Reader) or role definition ID')
    .requiredOption('--scope <scope>', "'/' (the whole bastion), the subscription, or a resource group or resource ID")
    .action(action(io, createAssignment, assignmentColumns));

  assignment
    .command('list')
    .description('List role assignments (all of them, or those made at --scope).')
    .option('--scope <scope>', "only assignments made at this scope ('/' or a resource ID)")
    .option('--include-inherited', 'with --scope, also those made above it, which apply to it too')
    .option('--assignee <name>', 'only assignments of this user or user group')
    .addOption(assigneeTypeOption())
    .option('--include-groups', "with --assignee, also the assignments of the user's groups")
    .action(action(io, listAssignments, assignmentColumns));

  assignment
    .command('delete')
    .description('Remove role assignments by ID, or the one of --role to --assignee at --scope.')
    .option('--ids <id...>', 'role assignment IDs')
    .option('--assignee <name>', 'user name or user group name')
    .addOption(assigneeTypeOption())
    .option('--role <role>', 'role name or role definition ID')
    .option('--scope <scope>', "scope of the assignment ('/' or a resource ID)")
    .action(action(io, deleteAssignments));

  const definition = role.command('definition').description('Manage role definitions: built-in and custom roles.');

  definition
    .command('list')
    .description('List role definitions (built-in roles first, then custom roles).')
    .option('-n, --name <name>', 'only the role with this name or ID')
    .option('--custom-role-only', 'only custom roles')
    .action(
      action(io, async (ctx, o: { name?: string; customRoleOnly?: boolean }) => {
        let roles = await ctx.roles.listRoleDefinitions();
        if (o.name !== undefined) {
          const key = o.name.trim().toLowerCase();
          roles = roles.filter((r) => r.id === key || r.name.toLowerCase() === key);
        }
        if (o.customRoleOnly) roles = roles.filter((r) => r.roleType === 'CustomRole');
        return roles.map((r): DefinitionView => ({ ...r, builtIn: r.roleType === 'BuiltInRole' }));
      }, definitionColumns),
    );

  definition
    .command('create')
    .description('Create a custom role from Azure-shaped JSON: {"Name", "Description", "Actions", "NotActions", "AssignableScopes"}.')
    .requiredOption('--role-definition <json>', 'the definition as a JSON string, or @file.json (PascalCase or camelCase keys)')
    .action(action(io, createDefinition, definitionColumns));

  definition
    .command('delete')
    .description('Delete a custom role (refused while it is assigned).')
    .requiredOption('-n, --name <role>', 'role name or role definition ID')
    .action(action(io, deleteDefinition));
}
