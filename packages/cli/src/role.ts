import type { Command } from 'commander';
import type { Io } from './io.js';
import { registerRoleAssignmentCommands } from './role-assignment.js';
import { registerRoleDefinitionCommands } from './role-definition.js';

export type { AssignmentView } from './role-assignment.js';
export { parseRoleDefinition, type DefinitionView } from './role-definition.js';

/**
 * `bastion role assignment …` and `bastion role definition …`, as `az role`. The commands live in
 * role-assignment.ts and role-definition.ts; this file registers the `role` group and re-exports their API.
 */
export function registerRoleCommands(program: Command, io: Io): void {
  const role = program.command('role').description('Manage role definitions and role assignments (az role).');
  registerRoleAssignmentCommands(role, io);
  registerRoleDefinitionCommands(role, io);
}
