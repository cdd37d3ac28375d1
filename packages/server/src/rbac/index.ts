/** RBAC in the Azure model: the public entry point of this module. */
export { ACTIONS, ALL_ACTIONS, ALL_DATA_ACTIONS, DATA_ACTIONS, TENANT_SCOPE, actionPatternProblem, actionsFor, matchesAction, type Operation, type RbacResourceType } from './actions.js';
export { BUILTIN_ROLES, CONTRIBUTOR, KEY_VAULT_ADMINISTRATOR, KEY_VAULT_READER, KEY_VAULT_SECRETS_USER, OWNER, READER, USER_ACCESS_ADMINISTRATOR, findBuiltinRole } from './builtin-roles.js';
export { AccessChecker, type AccessDecision, type AssignmentSource } from './checker.js';
export { connectCheck, type ConnectCheckResult, type InventoryReader, type MissingRole } from './connect-check.js';
export { GrantSet } from './grants.js';
export { loadPrincipal, resolvePrincipalByName } from './principal.js';
export { RoleStore } from './role-store.js';
export { normalizeScope, scopeCovers } from './scope.js';
export type * from './types.js';
