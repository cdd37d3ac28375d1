/** Shapes of the RBAC model (Azure's names where Azure has them). */

export type PrincipalType = 'user' | 'group';

/** Who is asking: a user and the groups they belong to (IDs, not names). */
export interface Principal {
  userId: string;
  groupIds: string[];
}

export interface RoleDefinition {
  /** A GUID; built-ins use Azure's own IDs. */
  id: string;
  /** Unique case-insensitively across built-in and custom roles. */
  name: string;
  description: string;
  roleType: 'BuiltInRole' | 'CustomRole';
  /** Action patterns granted (`*` wildcards). */
  actions: string[];
  /** Action patterns taken back out of `actions` (per role, as in Azure). */
  notActions: string[];
  /**
   * Data action patterns granted (Azure's `dataActions`, e.g. reading a secret's value). Only built-in
   * roles have them for now: custom roles are stored without (absent = none).
   */
  dataActions?: string[];
  notDataActions?: string[];
  /** Scopes at or below which the role may be assigned ('/' is the tenant root). */
  assignableScopes: string[];
  createdAt: string | null;
  updatedAt: string | null;
}

export interface RoleDefinitionInput {
  name: string;
  description?: string | undefined;
  actions: string[];
  notActions?: string[] | undefined;
  assignableScopes: string[];
}

export interface RoleAssignment {
  id: string;
  principalType: PrincipalType;
  principalId: string;
  roleDefinitionId: string;
  /** Canonical scope: '/', a subscription, a resource group or a resource ID. */
  scope: string;
  createdAt: string;
  /** User ID of whoever made the assignment (null for the system, e.g. bootstrap or config). */
  createdBy: string | null;
}

export interface RoleAssignmentInput {
  principalType: PrincipalType;
  principalId: string;
  /** A role definition ID or name ("Reader"), matched case-insensitively. */
  role: string;
  scope: string;
  createdBy?: string | null | undefined;
}

/** Row shapes of migration 0002, joined onto the shared `Database` with `withTables` (which wants type aliases). */
export type RoleDefinitionsTable = {
  id: string;
  name: string;
  name_key: string;
  description: string;
  actions: string;
  not_actions: string;
  assignable_scopes: string;
  created_at: string;
  updated_at: string;
};

export type RoleAssignmentsTable = {
  id: string;
  principal_type: string;
  principal_id: string;
  role_definition_id: string;
  scope: string;
  scope_key: string;
  created_at: string;
  created_by: string | null;
};

export type RbacTables = {
  role_definitions: RoleDefinitionsTable;
  role_assignments: RoleAssignmentsTable;
};
