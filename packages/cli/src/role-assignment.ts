import { Option, type Command } from 'commander';
import { conflict, notFound, validationError } from '../../server/src/errors.js';
import { resolvePrincipalByName, TENANT_SCOPE, type PrincipalType, type RoleAssignment } from '../../server/src/rbac/index.js';
import { checkScope } from '../../server/src/rbac/validation.js';
import { action, type Ctx } from './context.js';
import { keyVaultScopeId } from './keyvault.js';
import type { Io } from './io.js';
import type { Columns } from './output.js';

/** An assignment as the API shows it: with the principal's and the role's names. */
export type AssignmentView = RoleAssignment & { principalName: string; roleDefinitionName: string; inherited: boolean };

const assignmentColumns: Columns<AssignmentView> = {
  Principal: (a) => a.principalName,
  PrincipalType: (a) => a.principalType,
  Role: (a) => a.roleDefinitionName,
  Scope: (a) => a.scope,
  Inherited: (a) => a.inherited,
  Id: (a) => a.id,
};

const label = (type: PrincipalType): string => (type === 'user' ? 'User' : 'Group');


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
  if (/\/providers\/Microsoft\.KeyVault\//i.test(canonical)) {
    const id = await keyVaultScopeId(ctx, canonical);
    if (!id) throw validationError(`scope ${canonical} does not exist: no such key vault or secret.`);
    return id;
  }
  const resource = await ctx.inventory.get(canonical);
  if (!resource) throw validationError(`scope ${canonical} does not exist in the inventory.`);
  return resource.id;
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
  const principal = await resolvePrincipalByName(ctx.store.db, o.assignee, o.assigneeType);
  const role = await ctx.roles.findRoleDefinition(o.role);
  if (!role) throw validationError(`role ${JSON.stringify(o.role)} is not a known role definition (name or ID); see \`bastion role definition list\`.`);
  const same = (await ctx.roles.listRoleAssignments({ scope, principal })).find((a) => a.roleDefinitionId === role.id);
  if (same) throw conflict(`${label(principal.type)} ${principal.name} already has role ${role.name} at ${scope} (assignment ${same.id}).`);
  // The assignment and its audit event in one transaction (design 0009).
  const a = await ctx.audit.change(async (tx) => {
    const a = await ctx.roles.in(tx).createRoleAssignment({ principalType: principal.type, principalId: principal.id, role: role.id, scope, createdBy: null });
    await ctx.audit.writeIn(tx, {
      actor: ctx.actor,
      clientIp: null,
      type: 'rbac.assignment.created',
      outcome: 'success',
      target: scope,
      message: `Role ${role.name} assigned to ${principal.type} ${principal.name} at ${scope}.`,
      details: { assignmentId: a.id, role: role.name, principalType: principal.type, principal: principal.name, scope },
    });
    return a;
  });
  const [shown] = await view(ctx, [a]);
  return shown!;
}

async function listAssignments(ctx: Ctx, o: AssignmentListOptions): Promise<AssignmentView[]> {
  const scope = o.scope === undefined ? undefined : checkScope(o.scope);
  if (o.includeGroups && !o.assignee) throw validationError('--include-groups needs --assignee.');
  const list = await ctx.roles.listRoleAssignments(scope === undefined ? {} : { scope, inherited: o.includeInherited === true });
  if (!o.assignee) return view(ctx, list, scope);
  const principal = await resolvePrincipalByName(ctx.store.db, o.assignee, o.assigneeType);
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
    const principal = await resolvePrincipalByName(ctx.store.db, o.assignee!, o.assigneeType);
    const role = await ctx.roles.findRoleDefinition(o.role!);
    if (!role) throw validationError(`role ${JSON.stringify(o.role)} is not a known role definition (name or ID).`);
    doomed = (await ctx.roles.listRoleAssignments({ scope, principal })).filter((a) => a.roleDefinitionId === role.id);
    if (doomed.length === 0) throw notFound(`A role assignment of ${role.name} to ${principal.type} ${principal.name} at ${scope}`);
  }
  for (const shown of await view(ctx, doomed)) {
    await ctx.audit.change(async (tx) => {
      await ctx.roles.in(tx).deleteRoleAssignment(shown.id);
      await ctx.audit.writeIn(tx, {
        actor: ctx.actor,
        clientIp: null,
        type: 'rbac.assignment.deleted',
        outcome: 'success',
        target: shown.scope,
        message: `Role ${shown.roleDefinitionName} removed from ${shown.principalType} ${shown.principalName} at ${shown.scope}.`,
        details: { assignmentId: shown.id, role: shown.roleDefinitionName, principalType: shown.principalType, principal: shown.principalName, scope: shown.scope },
      });
    });
  }
}

const assigneeTypeOption = () => new Option('--assignee-type <type>', 'look the assignee up only among users or only among groups (default: users first, then groups)').choices(['user', 'group']);

/** `bastion role assignment …`, as `az role assignment`. */
export function registerRoleAssignmentCommands(role: Command, io: Io): void {
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
}
