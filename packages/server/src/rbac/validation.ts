import { ResourceIdError } from '../../../protocol/src/resource-id.js';
import { validationError } from '../errors.js';
import { actionPatternProblem } from './actions.js';
import { normalizeScope } from './scope.js';
import type { RoleDefinitionInput } from './types.js';

/** Input checks for role definitions and scopes; each throws BST_ERR_VALIDATION naming the bad field and value. */

export const ROLE_NAME_MAX_LENGTH = 128;
const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.()-]*$/;
const MAX_PATTERNS = 200;
const show = (v: unknown): string => JSON.stringify(v);

/** The canonical scope, or a 400 naming the field: "scope: Invalid resource ID …". */
export function checkScope(scope: unknown, field = 'scope'): string {
  if (typeof scope !== 'string') throw validationError(`${field} must be a string (got ${typeof scope}).`);
  try {
    return normalizeScope(scope);
  } catch (err) {
    if (err instanceof ResourceIdError) throw validationError(`${field}: ${err.message} A scope is '/', a subscription, a resource group or a resource ID.`);
    throw err;
  }
}

function checkPatterns(field: string, value: unknown, required: boolean): string[] {
  if (!Array.isArray(value)) throw validationError(`${field} must be an array of action patterns.`);
  if (required && value.length === 0) throw validationError(`${field} must name at least one action (e.g. "Microsoft.Compute/virtualMachines/read").`);
  if (value.length > MAX_PATTERNS) throw validationError(`${field} has ${value.length} entries; the limit is ${MAX_PATTERNS}.`);
  return value.map((p, i) => {
    const problem = actionPatternProblem(p);
    if (problem) throw validationError(`${field}[${i}] ${show(p)} ${problem}.`);
    return p as string;
  });
}

/** Validates and normalizes a custom role definition (trimmed name, canonical scopes, no duplicates). */
export function checkRoleDefinitionInput(input: RoleDefinitionInput): Required<RoleDefinitionInput> {
  const name = typeof input.name === 'string' ? input.name.trim() : input.name;
  if (typeof name !== 'string' || name.length === 0) throw validationError('name is required.');
  if (name.length > ROLE_NAME_MAX_LENGTH) throw validationError(`name is ${name.length} characters long; the limit is ${ROLE_NAME_MAX_LENGTH}.`);
  if (!ROLE_NAME.test(name)) throw validationError(`name ${show(name)} may only hold letters, digits, spaces and "_.()-", starting with a letter or digit.`);
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name)) throw validationError(`name ${show(name)} looks like a role definition ID; choose a readable name.`);
  const description = input.description ?? '';
  if (typeof description !== 'string' || description.length > 1024) throw validationError('description must be a string of at most 1024 characters.');
  const actions = checkPatterns('actions', input.actions, true);
  const notActions = checkPatterns('notActions', input.notActions ?? [], false);
  if (!Array.isArray(input.assignableScopes) || input.assignableScopes.length === 0)
    throw validationError('assignableScopes must list at least one scope (e.g. "/subscriptions/<id>").');
  const scopes = input.assignableScopes.map((s, i) => checkScope(s, `assignableScopes[${i}]`));
  const unique = <T extends string>(xs: T[]): T[] => xs.filter((x, i) => xs.findIndex((y) => y.toLowerCase() === x.toLowerCase()) === i);
  return { name, description, actions: unique(actions), notActions: unique(notActions), assignableScopes: unique(scopes) };
}
