import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { conflict, notFound, validationError } from '../errors.js';
import type { Database } from '../storage/schema.js';
import { BUILTIN_ROLES, findBuiltinRole } from './builtin-roles.js';
import { withLastOwnerGuard } from './last-owner.js';
import { scopeChainKeys, scopeCovers } from './scope.js';
import type { PrincipalType, Principal, RbacTables, RoleAssignment, RoleAssignmentInput, RoleAssignmentsTable, RoleDefinition, RoleDefinitionInput, RoleDefinitionsTable } from './types.js';
import { checkRoleDefinitionInput, checkScope } from './validation.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toRole = (row: RoleDefinitionsTable): RoleDefinition => ({
  id: row.id,
  name: row.name,
  description: row.description,
  roleType: 'CustomRole',
  actions: JSON.parse(row.actions) as string[],
  notActions: JSON.parse(row.not_actions) as string[],
  assignableScopes: JSON.parse(row.assignable_scopes) as string[],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toAssignment = (row: RoleAssignmentsTable): RoleAssignment => ({
  id: row.id,
  principalType: row.principal_type as PrincipalType,
  principalId: row.principal_id,
  roleDefinitionId: row.role_definition_id,
  scope: row.scope,
  createdAt: row.created_at,
  createdBy: row.created_by,
});

/** SQLite (SQLITE_CONSTRAINT_UNIQUE) and PostgreSQL (23505) unique violations: a lost race becomes a 409. */
const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
};

/**
 * Role definitions (built-in ones from code, custom ones from `role_definitions`) and role assignments
 * (`role_assignments`). Every write validates its input and answers in BastionError codes: 400 for bad
 * input, 404 for an unknown ID in the path, 409 for a duplicate or an in-use role.
 */
export class RoleStore {
  private readonly db: Kysely<Database & RbacTables>;

  constructor(private readonly base: Kysely<Database>) {
    this.db = base.withTables<RbacTables>();
  }

  /** The same store over a caller's transaction (design 0009: the change and its audit event commit together). */
  in(tx: Kysely<Database>): RoleStore {
    return new RoleStore(tx);
  }

  // ----- role definitions ---------------------------------------------------------------------------

  /** Built-in roles first, then custom roles by name. */
  async listRoleDefinitions(): Promise<RoleDefinition[]> {
    const rows = await this.db.selectFrom('role_definitions').selectAll().orderBy('name_key').execute();
    return [...BUILTIN_ROLES, ...rows.map(toRole)];
  }

  /** The role with this ID or, failing that, this name (both case-insensitive). */
  async findRoleDefinition(idOrName: string): Promise<RoleDefinition | undefined> {
    const builtin = findBuiltinRole(idOrName);
    if (builtin) return builtin;
    const key = idOrName.trim().toLowerCase();
    const row = await this.db.selectFrom('role_definitions').selectAll().where((eb) => eb.or([eb('id', '=', key), eb('name_key', '=', key)])).executeTakeFirst();
    return row ? toRole(row) : undefined;
  }

  /** Definitions for the given IDs (unknown ones are left out), for the checker: one query. */
  async roleDefinitionsById(ids: readonly string[]): Promise<Map<string, RoleDefinition>> {
    const out = new Map<string, RoleDefinition>();
    const custom: string[] = [];
    for (const id of new Set(ids.map((i) => i.toLowerCase()))) {
      const b = BUILTIN_ROLES.find((r) => r.id === id);
      if (b) out.set(id, b);
      else custom.push(id);
    }
    if (custom.length > 0) for (const row of await this.db.selectFrom('role_definitions').selectAll().where('id', 'in', custom).execute()) out.set(row.id, toRole(row));
    return out;
  }

  async createRoleDefinition(input: RoleDefinitionInput, opts: { id?: string } = {}): Promise<RoleDefinition> {
    const def = checkRoleDefinitionInput(input);
    if (opts.id !== undefined && !GUID.test(opts.id)) throw validationError(`id ${JSON.stringify(opts.id)} must be a GUID.`);
    const id = (opts.id ?? randomUUID()).toLowerCase();
    if (findBuiltinRole(def.name) || findBuiltinRole(id)) throw conflict(`${def.name} is a built-in role: choose another name (or ID) for a custom role.`);
    if (await this.findRoleDefinition(def.name)) throw conflict(`A role named ${def.name} already exists.`);
    const now = new Date().toISOString();
    const row: RoleDefinitionsTable = {
      id,
      name: def.name,
      name_key: def.name.toLowerCase(),
      description: def.description,
      actions: JSON.stringify(def.actions),
      not_actions: JSON.stringify(def.notActions),
      assignable_scopes: JSON.stringify(def.assignableScopes),
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.insertInto('role_definitions').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`A role named ${def.name} (or with ID ${id}) already exists.`);
      throw err;
    }
    return toRole(row);
  }

  /** Replaces a custom role; refuses (409) to shrink its assignable scopes under existing assignments. */
  async updateRoleDefinition(id: string, input: RoleDefinitionInput): Promise<RoleDefinition> {
    const current = await this.needCustomRole(id);
    const def = checkRoleDefinitionInput(input);
    if (findBuiltinRole(def.name)) throw conflict(`${def.name} is a built-in role: choose another name for a custom role.`);
    const sameName = await this.findRoleDefinition(def.name);
    if (sameName && sameName.id !== current.id) throw conflict(`A role named ${def.name} already exists.`);
    const stranded = (await this.assignmentsOfRole(current.id)).find((a) => !def.assignableScopes.some((s) => scopeCovers(s, a.scope)));
    if (stranded) throw conflict(`Role ${current.name} is assigned at ${stranded.scope}, which the new assignableScopes leave out; remove that assignment first.`);
    const set = { name: def.name, name_key: def.name.toLowerCase(), description: def.description, actions: JSON.stringify(def.actions), not_actions: JSON.stringify(def.notActions), assignable_scopes: JSON.stringify(def.assignableScopes), updated_at: new Date().toISOString() };
    try {
      await this.db.updateTable('role_definitions').set(set).where('id', '=', current.id).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`A role named ${def.name} already exists.`);
      throw err;
    }
    return { ...current, ...def, updatedAt: set.updated_at };
  }

  /** Deletes a custom role that nothing is assigned; returns what was deleted (for the audit event). */
  async deleteRoleDefinition(id: string): Promise<RoleDefinition> {
    const role = await this.needCustomRole(id);
    const [assigned] = await this.assignmentsOfRole(role.id);
    if (assigned) throw conflict(`Role ${role.name} cannot be deleted: it is still assigned (e.g. at ${assigned.scope}); remove its assignments first.`);
    await this.db.deleteFrom('role_definitions').where('id', '=', role.id).execute();
    return role;
  }

  private async needCustomRole(id: string): Promise<RoleDefinition> {
    if (findBuiltinRole(id)) throw validationError(`${findBuiltinRole(id)?.name} is a built-in role and cannot be changed or deleted.`);
    const row = await this.db.selectFrom('role_definitions').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
    if (!row) throw notFound(`Role definition ${id}`);
    return toRole(row);
  }

  // ----- role assignments ---------------------------------------------------------------------------

  async createRoleAssignment(input: RoleAssignmentInput, opts: { id?: string } = {}): Promise<RoleAssignment> {
    if (input.principalType !== 'user' && input.principalType !== 'group') throw validationError(`principalType must be "user" or "group" (got ${JSON.stringify(input.principalType)}).`);
    const scope = checkScope(input.scope);
    if (typeof input.role !== 'string' || input.role.trim() === '') throw validationError('role is required (a role name such as "Reader", or a role definition ID).');
    const role = await this.findRoleDefinition(input.role);
    if (!role) throw validationError(`role ${JSON.stringify(input.role)} is not a known role definition (name or ID).`);
    if (!role.assignableScopes.some((s) => scopeCovers(s, scope)))
      throw validationError(`Role ${role.name} cannot be assigned at ${scope}: its assignableScopes are ${role.assignableScopes.join(', ')}.`);
    await this.needPrincipal(input.principalType, input.principalId);
    if (opts.id !== undefined && !GUID.test(opts.id)) throw validationError(`id ${JSON.stringify(opts.id)} must be a GUID.`);
    const row: RoleAssignmentsTable = {
      id: (opts.id ?? randomUUID()).toLowerCase(),
      principal_type: input.principalType,
      principal_id: input.principalId,
      role_definition_id: role.id,
      scope,
      scope_key: scope.toLowerCase(),
      created_at: new Date().toISOString(),
      created_by: input.createdBy ?? null,
    };
    const duplicate = `The ${input.principalType} already has role ${role.name} at ${scope}.`;
    const existing = await this.db
      .selectFrom('role_assignments')
      .select('id')
      .where('principal_type', '=', row.principal_type)
      .where('principal_id', '=', row.principal_id)
      .where('role_definition_id', '=', row.role_definition_id)
      .where('scope_key', '=', row.scope_key)
      .executeTakeFirst();
    if (existing) throw conflict(duplicate);
    try {
      await this.db.insertInto('role_assignments').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(duplicate);
      throw err;
    }
    return toAssignment(row);
  }

  async getRoleAssignment(id: string): Promise<RoleAssignment | undefined> {
    const row = await this.db.selectFrom('role_assignments').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
    return row ? toAssignment(row) : undefined;
  }

  /** Deletes an assignment; returns it (for the audit event). Refused (BST_ERR_LAST_OWNER) for the last Owner at '/'. */
  async deleteRoleAssignment(id: string): Promise<RoleAssignment> {
    return withLastOwnerGuard(this.base, 'Removing this role assignment', async (tx) => {
      const rbac = tx.withTables<RbacTables>();
      const row = await rbac.selectFrom('role_assignments').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
      if (!row) throw notFound(`Role assignment ${id}`);
      await rbac.deleteFrom('role_assignments').where('id', '=', row.id).execute();
      return toAssignment(row);
    });
  }

  /**
   * Assignments for the IAM page: those made exactly at `scope`, or with `inherited` also those made
   * above it (which apply to it too). Without a scope, all of them. Optionally for one principal.
   */
  async listRoleAssignments(filter: { scope?: string; inherited?: boolean; principal?: { type: PrincipalType; id: string } } = {}): Promise<RoleAssignment[]> {
    let q = this.db.selectFrom('role_assignments').selectAll();
    if (filter.scope !== undefined) {
      const scope = checkScope(filter.scope);
      q = q.where('scope_key', 'in', filter.inherited ? scopeChainKeys(scope) : [scope.toLowerCase()]);
    }
    if (filter.principal) q = q.where('principal_type', '=', filter.principal.type).where('principal_id', '=', filter.principal.id);
    return (await q.orderBy('scope_key').orderBy('created_at').orderBy('id').execute()).map(toAssignment);
  }

  /** Every assignment that names the user or one of their groups (the checker's one query). */
  async assignmentsOf(principal: Principal): Promise<RoleAssignment[]> {
    const rows = await this.db
      .selectFrom('role_assignments')
      .selectAll()
      .where((eb) => {
        const user = eb.and([eb('principal_type', '=', 'user'), eb('principal_id', '=', principal.userId)]);
        return principal.groupIds.length === 0 ? user : eb.or([user, eb.and([eb('principal_type', '=', 'group'), eb('principal_id', 'in', principal.groupIds)])]);
      })
      .execute();
    return rows.map(toAssignment);
  }

  /**
   * Removes a user's or group's assignments; returns how many went. Refused for the last Owner at '/'.
   * UserDirectory.delete and deleteGroup already do this in their own transaction.
   */
  async deleteAssignmentsOfPrincipal(type: PrincipalType, id: string): Promise<number> {
    return withLastOwnerGuard(this.base, `Removing the role assignments of this ${type}`, async (tx) => {
      const r = await tx.withTables<RbacTables>().deleteFrom('role_assignments').where('principal_type', '=', type).where('principal_id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows);
    });
  }

  private async assignmentsOfRole(roleId: string): Promise<RoleAssignment[]> {
    return (await this.db.selectFrom('role_assignments').selectAll().where('role_definition_id', '=', roleId).execute()).map(toAssignment);
  }

  private async needPrincipal(type: PrincipalType, id: unknown): Promise<void> {
    if (typeof id !== 'string' || id.length === 0) throw validationError('principalId is required.');
    const found = type === 'user' ? await this.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst() : await this.db.selectFrom('groups').select('id').where('id', '=', id).executeTakeFirst();
    if (!found) throw validationError(`principalId ${JSON.stringify(id)} is not a known ${type}.`);
  }
}
