import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../../audit/audit-log.js';
import { notFound, validationError } from '../../errors.js';
import type { InventoryService } from '../../inventory/service.js';
import { ACTIONS, normalizeScope, resolvePrincipalByName, TENANT_SCOPE, type RoleAssignment, type RoleStore } from '../../rbac/index.js';
import type { Database } from '../../storage/schema.js';
import { checkConnect } from '../connect-access.js';
import { auditLastOwnerRefusal } from '../last-owner-refusal.js';
import { resourceIdFromUrl } from '../resource-url.js';
import { ArmResourceParams } from './schemas.js';
import { requestWho } from '../request-who.js';

const somewhere = (action: string) => ({ access: { kind: 'somewhere' as const, action } });
const strict = { additionalProperties: false } as const;
const tags = ['access control'];
const CHECK_SUFFIX = '/bastionConnectCheck';

/** Role definitions, role assignments ("Access control (IAM)"), principals for pickers, and the Connect check. */
export const rbacRoutes =
  (deps: { db: Kysely<Database>; roles: RoleStore; audit: AuditLog; inventory: InventoryService }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const checkedScope = (scope: string): string => {
      try {
        return normalizeScope(scope);
      } catch (err) {
        throw validationError(`scope: ${(err as Error).message}`);
      }
    };

    /** Principal names for display, resolved in two queries. */
    const principalNames = async (db: Kysely<Database>): Promise<Map<string, string>> => {
      const users = await db.selectFrom('users').select(['id', 'username']).execute();
      const groups = await db.selectFrom('groups').select(['id', 'name']).execute();
      return new Map([...users.map((u) => [`user:${u.id}`, u.username] as const), ...groups.map((g) => [`group:${g.id}`, g.name] as const)]);
    };
    // `db`: a transaction's handle when called inside one (on SQLite the outer one would wait for it).
    const view = async (list: RoleAssignment[], requestedScope?: string, db: Kysely<Database> = deps.db) => {
      const names = await principalNames(db);
      const roles = await deps.roles.in(db).roleDefinitionsById(list.map((a) => a.roleDefinitionId));
      return list.map((a) => ({
        ...a,
        principalName: names.get(`${a.principalType}:${a.principalId}`) ?? a.principalId,
        roleDefinitionName: roles.get(a.roleDefinitionId.toLowerCase())?.name ?? a.roleDefinitionId,
        inherited: requestedScope !== undefined && a.scope.toLowerCase() !== requestedScope.toLowerCase(),
      }));
    };

    app.get('/api/roleDefinitions', { config: somewhere(ACTIONS.roleDefinitions.read), schema: { tags, summary: 'Role definitions (built-in and custom)' } }, async () => ({
      value: (await deps.roles.listRoleDefinitions()).map((r) => ({ ...r, builtIn: r.roleType === 'BuiltInRole' })),
    }));

    app.post(
      '/api/roleDefinitions',
      {
        config: somewhere(ACTIONS.roleDefinitions.write),
        schema: {
          tags,
          summary: 'Create a custom role',
          body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }), description: Type.Optional(Type.String({ maxLength: 512 })), actions: Type.Array(Type.String({ maxLength: 256 }), { minItems: 1, maxItems: 200 }), notActions: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 200 })), assignableScopes: Type.Array(Type.String({ maxLength: 1024 }), { minItems: 1, maxItems: 50 }) }, strict),
        },
      },
      async (request, reply) => {
        for (const scope of request.body.assignableScopes) await request.authorize(ACTIONS.roleDefinitions.write, checkedScope(scope));
        // The change and its audit event commit together, or neither does (design 0009).
        const role = await deps.audit.change(async (tx) => {
          const role = await deps.roles.in(tx).createRoleDefinition(request.body);
          await deps.audit.writeIn(tx, { ...requestWho(request), type: 'rbac.role.created', outcome: 'success', target: role.id, message: `Custom role ${role.name} created.`, details: { actions: role.actions, notActions: role.notActions, assignableScopes: role.assignableScopes } });
          return role;
        });
        return reply.code(201).send({ ...role, builtIn: false });
      },
    );

    app.delete('/api/roleDefinitions/:id', { config: somewhere(ACTIONS.roleDefinitions.delete), schema: { tags, summary: 'Delete a custom role (refused while assigned)', params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }) } }, async (request, reply) => {
      const role = await deps.roles.findRoleDefinition(request.params.id);
      if (!role) throw notFound(`Role definition ${request.params.id}`);
      for (const scope of role.assignableScopes) await request.authorize(ACTIONS.roleDefinitions.delete, scope);
      await deps.audit.change(async (tx) => {
        await deps.roles.in(tx).deleteRoleDefinition(role.id);
        await deps.audit.writeIn(tx, { ...requestWho(request), type: 'rbac.role.deleted', outcome: 'success', target: role.id, message: `Custom role ${role.name} deleted.` });
      });
      return reply.code(204).send();
    });

    app.get(
      '/api/roleAssignments',
      {
        config: somewhere(ACTIONS.roleAssignments.read),
        schema: { tags, summary: 'Role assignments at a scope (optionally with those inherited from above)', querystring: Type.Object({ scope: Type.Optional(Type.String({ maxLength: 1024 })), includeInherited: Type.Optional(Type.Boolean()), assignee: Type.Optional(Type.String({ maxLength: 128 })) }) },
      },
      async (request) => {
        const scope = checkedScope(request.query.scope ?? TENANT_SCOPE);
        await request.authorize(ACTIONS.roleAssignments.read, scope);
        const principal = request.query.assignee ? await resolvePrincipalByName(deps.db, request.query.assignee) : undefined;
        const list = await deps.roles.listRoleAssignments({ scope, inherited: request.query.includeInherited ?? false, principal });
        return { value: await view(list, scope) };
      },
    );

    app.post(
      '/api/roleAssignments',
      {
        config: somewhere(ACTIONS.roleAssignments.write),
        schema: { tags, summary: 'Assign a role to a user or group at a scope', body: Type.Object({ assignee: Type.String({ minLength: 1, maxLength: 128 }), assigneeType: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('group')])), role: Type.String({ minLength: 1, maxLength: 128 }), scope: Type.String({ minLength: 1, maxLength: 1024 }) }, strict) },
      },
      async (request, reply) => {
        const scope = checkedScope(request.body.scope);
        await request.authorize(ACTIONS.roleAssignments.write, scope);
        const principal = await resolvePrincipalByName(deps.db, request.body.assignee, request.body.assigneeType);
        const shown = await deps.audit.change(async (tx) => {
          const a = await deps.roles.in(tx).createRoleAssignment({ principalType: principal.type, principalId: principal.id, role: request.body.role, scope, createdBy: request.user!.id });
          const [shown] = await view([a], undefined, tx);
          await deps.audit.writeIn(tx, { ...requestWho(request), type: 'rbac.assignment.created', outcome: 'success', target: scope, message: `Role ${shown!.roleDefinitionName} assigned to ${principal.type} ${request.body.assignee} at ${scope}.`, details: { assignmentId: a.id, role: shown!.roleDefinitionName, principalType: principal.type, principal: request.body.assignee, scope } });
          return shown;
        });
        return reply.code(201).send(shown);
      },
    );

    app.delete('/api/roleAssignments/:id', { config: somewhere(ACTIONS.roleAssignments.delete), schema: { tags, summary: 'Remove a role assignment', params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }) } }, async (request, reply) => {
      const a = await deps.roles.getRoleAssignment(request.params.id);
      if (!a) throw notFound(`Role assignment ${request.params.id}`);
      await request.authorize(ACTIONS.roleAssignments.delete, a.scope);
      const [shown] = await view([a]);
      // The last-Owner guard joins this transaction: a refusal rolls back the event too, then is audited.
      await auditLastOwnerRefusal(deps.audit, request, a.scope, () =>
        deps.audit.change(async (tx) => {
          await deps.roles.in(tx).deleteRoleAssignment(a.id);
          await deps.audit.writeIn(tx, { ...requestWho(request), type: 'rbac.assignment.deleted', outcome: 'success', target: a.scope, message: `Role ${shown!.roleDefinitionName} removed from ${a.principalType} ${shown!.principalName} at ${a.scope}.`, details: { assignmentId: a.id, role: shown!.roleDefinitionName, principalType: a.principalType, principal: shown!.principalName, scope: a.scope } });
        }),
      );
      return reply.code(204).send();
    });

    app.get('/api/principals', { config: somewhere(ACTIONS.roleAssignments.write), schema: { tags, summary: 'Users and groups, for role assignment pickers' } }, async () => {
      const users = await deps.db.selectFrom('users').select(['id', 'username', 'display_name']).orderBy('username_key').execute();
      const groups = await deps.db.selectFrom('groups').select(['id', 'name']).orderBy('name_key').execute();
      return { value: [...users.map((u) => ({ type: 'user', id: u.id, name: u.username, displayName: u.display_name })), ...groups.map((g) => ({ type: 'group', id: g.id, name: g.name, displayName: g.name }))] };
    });

    // The Connect check: Reader on the VM, its NIC (and ipconfiguration), the bastion, and the VM's network when peered.
    app.get(
      '/api/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Compute/virtualMachines/:name/bastionConnectCheck',
      {
        config: { access: { kind: 'resource', action: ACTIONS.virtualMachines.read, resource: (r: FastifyRequest) => resourceIdFromUrl(r, CHECK_SUFFIX) } },
        schema: { tags, summary: 'May the caller connect to this VM through a bastion? Lists the missing roles.', params: ArmResourceParams },
      },
      async (request) => {
        const vmId = resourceIdFromUrl(request, CHECK_SUFFIX);
        if (!(await deps.inventory.get(vmId))) throw notFound(`Virtual machine ${request.params.name}`);
        return checkConnect(deps, request, vmId);
      },
    );
  };
