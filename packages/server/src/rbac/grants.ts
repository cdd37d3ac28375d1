import { ResourceIdError } from '../../../protocol/src/resource-id.js';
import { ALL_ACTIONS, ALL_DATA_ACTIONS, matchesAction, TENANT_SCOPE } from './actions.js';
import { scopeChainKeys } from './scope.js';
import type { RoleAssignment, RoleDefinition } from './types.js';

export interface AccessDecision {
  allowed: boolean;
  /** One sentence for logs, audit events and 403 bodies: which assignment allowed it, or why nothing did. */
  reason: string;
}

export interface Grant {
  assignment: RoleAssignment;
  role: RoleDefinition;
  scopeKey: string;
}

const KNOWN_ACTIONS = new Set(ALL_ACTIONS.map((a) => a.toLowerCase()));
const DATA_ACTION_SET = new Set(ALL_DATA_ACTIONS.map((a) => a.toLowerCase()));
/** A data action is matched against a role's dataActions, anything else against its actions (Azure's split). */
const patternsFor = (role: RoleDefinition, action: string): { grant: readonly string[]; deny: readonly string[] } =>
  DATA_ACTION_SET.has(action.toLowerCase()) ? { grant: role.dataActions ?? [], deny: role.notDataActions ?? [] } : { grant: role.actions, deny: role.notActions };
const holder = (a: RoleAssignment): string => `${a.principalType} ${a.principalId}`;
const deny = (reason: string): AccessDecision => ({ allowed: false, reason: `Denied: ${reason}` });

/**
 * One principal's role assignments with their definitions, loaded once. Answers any number of questions
 * without touching storage: the per-call cache of a listing or a Connect check. Never keep one across
 * requests: it would not see assignments made or removed since.
 */
export class GrantSet {
  constructor(private readonly grants: readonly Grant[]) {}

  /**
   * Azure's rule: allowed when some assignment at the resource or a scope above it has a role whose
   * `actions` match and none of whose `notActions` match (notActions subtract within a role, not across
   * roles). The closest scope is reported first, the user's own assignments before their groups'.
   */
  check(action: string, resourceId: string): AccessDecision {
    if (!KNOWN_ACTIONS.has(action.toLowerCase()) && !DATA_ACTION_SET.has(action.toLowerCase())) return deny(`${action} is not an action in the catalogue.`);
    let chain: string[];
    try {
      chain = scopeChainKeys(resourceId);
    } catch (err) {
      if (err instanceof ResourceIdError) return deny(err.message);
      throw err;
    }
    const depth = (g: Grant): number => chain.indexOf(g.scopeKey);
    const applicable = this.grants
      .filter((g) => depth(g) >= 0)
      .sort((a, b) => depth(b) - depth(a) || Number(a.assignment.principalType === 'group') - Number(b.assignment.principalType === 'group'));
    let excluded: string | undefined;
    for (const g of applicable) {
      const patterns = patternsFor(g.role, action);
      if (!patterns.grant.some((p) => matchesAction(p, action))) continue;
      const not = patterns.deny.find((p) => matchesAction(p, action));
      if (not === undefined)
        return { allowed: true, reason: `Allowed: role ${g.role.name} assigned to ${holder(g.assignment)} at ${g.assignment.scope} grants ${action}.` };
      excluded ??= `role ${g.role.name} at ${g.assignment.scope} excludes it (notActions "${not}")`;
    }
    const where = resourceId === TENANT_SCOPE ? 'the tenant (/)' : `${resourceId} or a scope above it`;
    return deny(`no role assignment of the user or their groups grants ${action} on ${where}${excluded ? `; ${excluded}` : ''}.`);
  }

  /**
   * True when some assignment's role grants `action` at whatever scope: the gate of a listing, whose
   * handler then shows only the items `allows` admits.
   */
  allowsSomewhere(action: string): boolean {
    // A wildcard gate ('*/read' for lists) is met by any catalogue action it covers: a role granting only
    // Microsoft.Compute/virtualMachines/read passes it, although its pattern does not match the text '*/read'.
    const actions = action.includes('*') ? ALL_ACTIONS.filter((a) => matchesAction(action, a)) : [action];
    return this.grants.some((g) =>
      actions.some((a) => {
        const patterns = patternsFor(g.role, a);
        return patterns.grant.some((p) => matchesAction(p, a)) && !patterns.deny.some((p) => matchesAction(p, a));
      }),
    );
  }

  /** True when `check` would allow. */
  allows(action: string, resourceId: string): boolean {
    return this.check(action, resourceId).allowed;
  }
}
