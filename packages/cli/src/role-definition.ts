import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { notFound, validationError } from '../../server/src/errors.js';
import type { RoleDefinition, RoleDefinitionInput } from '../../server/src/rbac/index.js';
import { action, type Ctx } from './context.js';
import type { Io } from './io.js';
import type { Columns } from './output.js';

export type DefinitionView = RoleDefinition & { builtIn: boolean };

const definitionColumns: Columns<DefinitionView> = {
  Name: (r) => r.name,
  Type: (r) => r.roleType,
  Id: (r) => r.id,
  AssignableScopes: (r) => r.assignableScopes,
  Description: (r) => r.description,
};

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
      if (v !== null && !(Array.isArray(v) && v.length === 0)) throw validationError(`${key} is not supported: custom roles cannot grant data actions yet (leave it out or empty; for secret values assign the built-in Key Vault Secrets User).`);
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

async function createDefinition(ctx: Ctx, o: { roleDefinition: string }): Promise<DefinitionView> {
  const { input, id } = parseRoleDefinition(o.roleDefinition);
  // The change and its audit event in one transaction (design 0009).
  const role = await ctx.audit.change(async (tx) => {
    const role = await ctx.roles.in(tx).createRoleDefinition(input, id === undefined ? {} : { id });
    await ctx.audit.writeIn(tx, {
    actor: ctx.actor,
    clientIp: null,
    type: 'rbac.role.created',
    outcome: 'success',
    target: role.id,
    message: `Custom role ${role.name} created.`,
    details: { role: role.name, actions: role.actions, notActions: role.notActions, assignableScopes: role.assignableScopes },
    });
    return role;
  });
  return { ...role, builtIn: false };
}

async function deleteDefinition(ctx: Ctx, o: { name: string }): Promise<void> {
  const role = await ctx.roles.findRoleDefinition(o.name);
  if (!role) throw notFound(`Role definition ${o.name}`);
  await ctx.audit.change(async (tx) => {
    await ctx.roles.in(tx).deleteRoleDefinition(role.id);
    await ctx.audit.writeIn(tx, {
    actor: ctx.actor,
    clientIp: null,
    type: 'rbac.role.deleted',
    outcome: 'success',
    target: role.id,
    message: `Custom role ${role.name} deleted.`,
    details: { role: role.name, assignableScopes: role.assignableScopes },
    });
  });
}

/** `bastion role definition …`, as `az role definition`. */
export function registerRoleDefinitionCommands(role: Command, io: Io): void {
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
